# End-to-end scenarios: the built tsbridge binary against `tsbridge emulator` (each script starts
# its own on a free port), checked through the official Node.js SDK and DuckDB.
find_program(TSB_NODE node)
if(TSB_NODE)  # else tests/CMakeLists.txt registers the failing node_required
  file(GLOB TSB_E2E_TESTS CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/*.test.mjs)
  foreach(test_file ${TSB_E2E_TESTS})
    get_filename_component(test_name ${test_file} NAME_WE)
    add_test(NAME e2e_${test_name}
             COMMAND ${TSB_NODE} --test --test-reporter=spec ${test_file})
    set_tests_properties(e2e_${test_name} PROPERTIES
      LABELS e2e
      ENVIRONMENT "TSBRIDGE_BIN=$<TARGET_FILE:tsbridge>;TSB_SHARED_TESTDATA=${TSB_SHARED_TESTDATA}"
      TIMEOUT 900)
  endforeach()
  # The longest scenarios (seconds on an idle 2-core machine), so that `ctest -j` starts them
  # first rather than last; a long scenario added later belongs here.
  foreach(entry resume_export:35 export_net:20 resume_import:20 import_memory:18 import_guide:16
                summary_exits:13 export_parallel:12 import_faults:11 export_rate:10 logs:10
                export_guide:8)
    string(REPLACE ":" ";" pair ${entry})
    list(GET pair 0 name)
    list(GET pair 1 cost)
    if(TEST e2e_${name})
      set_tests_properties(e2e_${name} PROPERTIES COST ${cost})
    endif()
  endforeach()
endif()
