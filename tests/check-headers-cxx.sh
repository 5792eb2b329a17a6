#!/usr/bin/env bash
# check-headers-cxx.sh SRC CXX — every public header under SRC/include compiles on its own as C++17
# (C linkage, no C-only constructs), as a C++ firmware or host application includes it.
set -euo pipefail
src=$1 cxx=$2
status=0
while IFS= read -r h; do
  rel=${h#"$src/include/"}
  if ! printf '#include "%s"\nint main() { return 0; }\n' "$rel" |
       "$cxx" -std=c++17 -Wall -Wextra -Werror -fsyntax-only -I"$src/include" -x c++ -; then
    echo "check-headers-cxx: $rel does not compile as C++" >&2
    status=1
  fi
done < <(find "$src/include" -name '*.h' | sort)
[ $status -eq 0 ] && echo "check-headers-cxx: $(find "$src/include" -name '*.h' | wc -l) public headers compile as C++17"
exit $status
