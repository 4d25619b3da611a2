# The Debian package (cpack -G DEB): its contents, dependencies and a run of the extracted binary.
# cpack installs the build tree, so the binary and the man pages must be built first (`all`).
find_program(TSB_DPKG_DEB dpkg-deb)
if(TSB_DPKG_DEB)
  add_test(NAME package_deb COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/package_test.sh ${PROJECT_BINARY_DIR})
  set_tests_properties(package_deb PROPERTIES LABELS package TIMEOUT 600 RUN_SERIAL TRUE)
else()
  add_test(NAME package_deb COMMAND sh -c "echo 'dpkg-deb was not found: run scripts/install-deps.sh' >&2; exit 1")
endif()
