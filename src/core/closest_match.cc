#include "core/closest_match.h"

#include <algorithm>
#include <utility>

namespace tsb {

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

std::vector<std::string> CloseMatches(std::string_view typed, const std::vector<std::string>& names,
                                      size_t limit) {
  const size_t most = std::max<size_t>(2, typed.size() / 3);
  std::vector<std::pair<size_t, const std::string*>> close;
  for (const std::string& name : names) {
    if (name == typed) continue;
    const size_t d = EditDistance(typed, name);
    if (d <= most) close.emplace_back(d, &name);
  }
  std::stable_sort(close.begin(), close.end(),
                   [](const auto& x, const auto& y) { return x.first < y.first; });
  std::vector<std::string> out;
  for (size_t i = 0; i < close.size() && i < limit; ++i) out.push_back(*close[i].second);
  return out;
}

std::string ClosestMatch(std::string_view typed, const std::vector<std::string>& names) {
  std::vector<std::string> best = CloseMatches(typed, names, 1);
  return best.empty() ? std::string() : best.front();
}

}  // namespace tsb
