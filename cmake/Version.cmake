# What `tsbridge --version` says besides the version: the commit it was built from (read from git
# when the build is configured; "unknown" outside a checkout), the build type and the sanitizers.
execute_process(
  COMMAND git rev-parse --short=12 HEAD
  WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
  OUTPUT_VARIABLE TSB_COMMIT
  RESULT_VARIABLE tsb_git_result
  OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
if(NOT tsb_git_result EQUAL 0 OR TSB_COMMIT STREQUAL "")
  set(TSB_COMMIT "unknown")
endif()
if(TSB_SANITIZE)
  set(TSB_SANITIZERS "address, undefined")
else()
  set(TSB_SANITIZERS "none")
endif()
target_compile_definitions(tsbridge PRIVATE TSB_COMMIT="${TSB_COMMIT}"
                           TSB_BUILD_TYPE="${CMAKE_BUILD_TYPE}" TSB_SANITIZERS="${TSB_SANITIZERS}")
