# The benchmark targets (see hook.cmake). CMake allows no add_subdirectory() in a deferred call,
# so bench/CMakeLists.txt's target is declared here too; every target is guarded, so that a
# top-level add_subdirectory(bench) added later does not clash with the hook.
if(NOT TARGET parquet_write_bench)
  add_executable(parquet_write_bench EXCLUDE_FROM_ALL ${TSB_BENCH_DIR}/parquet_write_bench.cc)
  target_link_libraries(parquet_write_bench PRIVATE tsb_formats tsb_core)
  set_target_properties(parquet_write_bench PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)
endif()
if(NOT TARGET tsb_bench)
  add_executable(tsb_bench EXCLUDE_FROM_ALL ${TSB_BENCH_DIR}/tsb_bench.cc)
  target_link_libraries(tsb_bench PRIVATE tsb_tablestore tsb_formats tsb_core)
  set_target_properties(tsb_bench PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)
endif()
