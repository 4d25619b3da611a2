# `cmake --install` and `cpack -G DEB`: the binary in bin, its man pages in share/man/man1, the
# completions where bash-completion, zsh and fish look for them.
include(GNUInstallDirs)

# The man pages come from the binary itself (src/cli/man_page.cc), rebuilt whenever it is.
set(TSB_MAN_DIR ${PROJECT_BINARY_DIR}/man)
add_custom_command(OUTPUT ${TSB_MAN_DIR}/tsbridge.1
  COMMAND ${CMAKE_COMMAND} -DBIN=$<TARGET_FILE:tsbridge> -DOUT=${TSB_MAN_DIR}
          -P ${PROJECT_SOURCE_DIR}/cmake/GenerateManPages.cmake
  DEPENDS tsbridge ${PROJECT_SOURCE_DIR}/cmake/GenerateManPages.cmake
  COMMENT "Generating the man pages"
  VERBATIM)
add_custom_target(man_pages ALL DEPENDS ${TSB_MAN_DIR}/tsbridge.1)

install(TARGETS tsbridge RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY ${TSB_MAN_DIR}/ DESTINATION ${CMAKE_INSTALL_MANDIR}/man1
        FILES_MATCHING PATTERN "*.1")
install(FILES completions/tsbridge.bash DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions
        RENAME tsbridge)
install(FILES completions/_tsbridge DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions)
install(FILES completions/tsbridge.fish
        DESTINATION ${CMAKE_INSTALL_DATADIR}/fish/vendor_completions.d)
install(FILES README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})

set(CPACK_PACKAGE_NAME tsbridge)
set(CPACK_PACKAGE_VENDOR "tsbridge")
set(CPACK_PACKAGE_CONTACT "tsbridge maintainers <tsbridge@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "Move data between Tablestore tables and Parquet, CSV and JSON Lines files")
set(CPACK_PACKAGE_DESCRIPTION
    "tsbridge imports Alibaba Cloud Tablestore tables into local Parquet, CSV and JSON Lines\n files and exports such files into tables, and runs a local Tablestore-compatible emulator.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
# The Depends line is what dpkg-shlibdeps finds the binary linked against (libcurl4,
# librocksdb7.8, libssl3, zlib1g, libzstd1, libsnappy1v5, ... on Debian 12): never a hand list.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_STRIP_FILES ON)
include(CPack)
