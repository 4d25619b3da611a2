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
endif()
