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
# Only version.cc sees them, so a new commit recompiles one file.
set_source_files_properties(${PROJECT_SOURCE_DIR}/src/cli/version.cc TARGET_DIRECTORY tsbridge
  PROPERTIES COMPILE_DEFINITIONS
  "TSB_COMMIT=\"${TSB_COMMIT}\";TSB_BUILD_TYPE=\"${CMAKE_BUILD_TYPE}\";TSB_SANITIZERS=\"${TSB_SANITIZERS}\"")
# A commit or checkout appends to HEAD's reflog: configure again then, so the commit stays true.
execute_process(
  COMMAND git rev-parse --git-path logs/HEAD
  WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
  OUTPUT_VARIABLE tsb_head_log
  OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
if(tsb_head_log)
  get_filename_component(tsb_head_log ${tsb_head_log} ABSOLUTE BASE_DIR ${PROJECT_SOURCE_DIR})
  if(EXISTS ${tsb_head_log})
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${tsb_head_log})
  endif()
endif()
