# The committed SDK fixture (tests/tablestore/data/sdk_vectors.json) must be what the pinned
# official SDK produces now; regenerate with `node tests/tablestore/sdk_vectors.mjs`.
find_program(TSB_NODE node)
if(TSB_NODE)  # else tests/CMakeLists.txt registers the failing node_required
  add_test(NAME sdk_vectors_current
           COMMAND ${TSB_NODE} ${CMAKE_CURRENT_SOURCE_DIR}/tablestore/sdk_vectors.mjs --check)
  set_tests_properties(sdk_vectors_current PROPERTIES LABELS unit)
endif()
