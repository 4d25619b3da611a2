#!/usr/bin/env bash
# The Debian package, as CI can check it without installing it: `cpack -G DEB` builds it from the
# build tree; its contents (binary, man pages, completions), its control file's Depends (what
# dpkg-shlibdeps found the binary linked against), and the binary run from an extracted copy.
# usage: package_test.sh BUILD_DIR
set -euo pipefail
build=$(cd "$1" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "package_test: $*" >&2; exit 1; }

(cd "$build" && cpack -G DEB -B "$work/out" >"$work/cpack.log" 2>&1) ||
  { cat "$work/cpack.log" >&2; fail "cpack -G DEB failed"; }
debs=("$work"/out/tsbridge_*.deb)
[ -f "${debs[0]}" ] || fail "no tsbridge_*.deb in $(ls "$work/out")"
deb=${debs[0]}

dpkg-deb -c "$deb" | awk '{print $6}' >"$work/contents"
subcommands=$("$build/tsbridge" __man --list)
expected=(./usr/bin/tsbridge ./usr/share/man/man1/tsbridge.1
  ./usr/share/bash-completion/completions/tsbridge
  ./usr/share/zsh/vendor-completions/_tsbridge
  ./usr/share/fish/vendor_completions.d/tsbridge.fish)
for sub in $subcommands; do expected+=("./usr/share/man/man1/tsbridge-$sub.1"); done
for file in "${expected[@]}"; do
  grep -qx -- "$file" "$work/contents" || fail "$file is not in the package: $(cat "$work/contents")"
done

[ "$(dpkg-deb -f "$deb" Package)" = tsbridge ] || fail "Package: $(dpkg-deb -f "$deb" Package)"
depends=$(dpkg-deb -f "$deb" Depends)
# Libraries the binary links on Debian 12, by package name: each must be a dependency (RocksDB
# comes from Debian's static librocksdb.a, so its own libraries, such as libbz2, stand for it).
for lib in libc6 'libstdc\+\+6' libcurl4 libssl3 zlib1g libzstd1 libsnappy1v5 liblz4-1 \
  'libbrotli(enc|dec|common)?1'; do
  echo "$depends" | grep -Eq "(^|, )$lib( |,|$)" || fail "Depends lacks $lib: $depends"
done
# And every dependency is one of those the binary actually needs (no hand-kept extras).
# (dpkg knows a library by the path it installed, /lib or /usr/lib: Debian 12 merges them.)
for lib in $(ldd "$build/tsbridge" | awk '/=> \//{print $3}'); do
  dpkg -S "$lib" 2>/dev/null || dpkg -S "/usr$lib" 2>/dev/null || dpkg -S "${lib#/usr}" 2>/dev/null ||
    fail "no Debian package holds $lib"
done | cut -d: -f1 | sort -u >"$work/packages"
# A dependency may be a name one of those packages provides (libspdlog1.10 provides
# libspdlog1.10-fmt9, the name its shlibs file gives).
cp "$work/packages" "$work/linked"
while read -r pkg; do
  dpkg-query -W -f='${Provides}\n' "$pkg" | tr ',' '\n' | awk 'NF {print $1}' >>"$work/linked"
done <"$work/packages"
for dep in $(echo "$depends" | tr ',' '\n' | awk '{print $1}'); do
  grep -qx -- "$dep" "$work/linked" || fail "Depends names $dep, which the binary does not link"
done

# apt's own resolution of the package here, as `apt install ./tsbridge_*.deb` would do it,
# without installing it: every dependency resolves and nothing has to be removed.
apt-get install --simulate -o Debug::NoLocking=1 "$deb" >"$work/apt.log" 2>&1 ||
  { cat "$work/apt.log" >&2; fail "apt-get install --simulate refused the package"; }
grep -q '^Inst tsbridge ' "$work/apt.log" || fail "apt would not install tsbridge: $(cat "$work/apt.log")"
! grep -q '^Remv ' "$work/apt.log" || fail "installing tsbridge would remove: $(grep '^Remv ' "$work/apt.log")"

dpkg-deb -x "$deb" "$work/root"
version=$("$work/root/usr/bin/tsbridge" --version) || fail "the extracted binary does not run"
echo "$version" | head -1 | grep -Eq '^tsbridge [0-9]+\.[0-9]+\.[0-9]+$' || fail "--version: $version"
[ "$(dpkg-deb -f "$deb" Version)" = "$(echo "$version" | head -1 | cut -d' ' -f2)" ] ||
  fail "the package's version $(dpkg-deb -f "$deb" Version) is not the binary's"
man --warnings -E UTF-8 -l "$work/root/usr/share/man/man1/tsbridge-import.1" >/dev/null 2>"$work/man.err"
[ ! -s "$work/man.err" ] || fail "the installed man page warns: $(cat "$work/man.err")"
echo "package_test: $(basename "$deb"): Depends: $depends"
