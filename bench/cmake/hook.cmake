# Adds the benchmark programs to a tsbridge build tree without touching the top-level
# CMakeLists.txt: bench/run.sh configures with
#   -DCMAKE_PROJECT_tsbridge_INCLUDE=<this file>
# which CMake includes right after project(tsbridge); the targets themselves are declared at the
# end of the top-level directory (cmake_language DEFER), once tsb_core & co. exist. Every target is
# EXCLUDE_FROM_ALL, so a plain `cmake --build` of that tree builds exactly what it built before.
set(TSB_BENCH_DIR "${CMAKE_CURRENT_LIST_DIR}/..")
# EVAL: the path is expanded now, not when the deferred call runs.
cmake_language(EVAL CODE "cmake_language(DEFER CALL include [[${CMAKE_CURRENT_LIST_DIR}/targets.cmake]])")
