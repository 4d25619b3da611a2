# The conformance suite: the official Tablestore Node.js SDK against `tsbridge emulator`.
# Each *.test.mjs file starts its own emulator on a free port.
file(GLOB TSB_CONFORMANCE_TESTS CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/*.test.mjs)
foreach(test_file ${TSB_CONFORMANCE_TESTS})
  get_filename_component(test_name ${test_file} NAME_WE)
  add_test(NAME conformance_${test_name}
           COMMAND node --test --test-reporter=spec ${test_file})
  set_tests_properties(conformance_${test_name} PROPERTIES
    LABELS conformance
    ENVIRONMENT "TSBRIDGE_BIN=$<TARGET_FILE:tsbridge>"
    TIMEOUT 600)
endforeach()
