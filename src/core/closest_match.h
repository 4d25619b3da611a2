// "Did you mean": the names close enough to a typed one to be a likely typo. One edit distance
// for the command line (a mistyped subcommand or flag) and for describe (a mapped attribute that
// no row carries, against the attributes the rows do carry).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace tsb {

// Levenshtein distance (insertions, deletions, substitutions of bytes). Names are short, so the
// quadratic table is nothing.
size_t EditDistance(std::string_view a, std::string_view b);

// The names of `names` within typo distance of `typed` (at most max(2, |typed| / 3) edits),
// closest first (ties in the order given), at most `limit` of them; `typed` itself is never one.
std::vector<std::string> CloseMatches(std::string_view typed, const std::vector<std::string>& names,
                                      size_t limit = 3);

// The closest of CloseMatches, or empty.
std::string ClosestMatch(std::string_view typed, const std::vector<std::string>& names);

}  // namespace tsb
