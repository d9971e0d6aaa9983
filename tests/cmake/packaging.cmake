# Packaging: the hardening of the built executable and modules (TH_HARDENING), the .deb
# that cpack -G DEB builds, and cmake --install. Skipped (exit 77), not passed, where
# they cannot apply: hardening off, or no cpack/dpkg-deb.
if(TH_HARDENING AND NOT (TH_SANITIZE OR TH_FUZZ))
  set(th_expect_fortify "$<IF:$<CONFIG:Debug>,0,1>")
else()
  set(th_expect_fortify 0)
endif()
if(TH_HARDENING)
  set(th_hardening 1)
else()
  set(th_hardening 0)
endif()
set(th_pkg_env ${TH_TEST_ENV} "TH_HARDENING=${th_hardening}" "TH_EXPECT_FORTIFY=${th_expect_fortify}")

set(th_hardened $<TARGET_FILE:textus-host> $<TARGET_FILE:textus-host-store>)
if(TARGET textus-host-engine)
  list(APPEND th_hardened $<TARGET_FILE:textus-host-engine>)
endif()
add_test(NAME build_hardening COMMAND ${Python3_EXECUTABLE}
         ${CMAKE_CURRENT_SOURCE_DIR}/packaging/check_hardening.py ${th_hardened})
set_tests_properties(build_hardening PROPERTIES ENVIRONMENT "${th_pkg_env}" LABELS packaging
                     SKIP_RETURN_CODE 77 TIMEOUT 60)

string(REPLACE ";" "\\;" th_ids "${TH_EXTENSION_IDS}")
add_test(NAME deb COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/packaging/test_deb.py)
set_tests_properties(deb PROPERTIES LABELS packaging SKIP_RETURN_CODE 77 TIMEOUT 900
  ENVIRONMENT "${th_pkg_env};TH_CMAKE=${CMAKE_COMMAND};TH_CPACK=${CMAKE_CPACK_COMMAND};TH_VERSION=${PROJECT_VERSION};TH_INSTALL_PKGDIR=${TH_INSTALL_PKGDIR};TH_EXTENSION_IDS=${th_ids}")
