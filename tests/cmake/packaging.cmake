# Packaging: the hardening of the built executable and modules (TH_HARDENING).
# Skipped (exit 77), not passed, when the option is off.
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
add_test(NAME hardening COMMAND ${Python3_EXECUTABLE}
         ${CMAKE_CURRENT_SOURCE_DIR}/packaging/check_hardening.py ${th_hardened})
set_tests_properties(hardening PROPERTIES ENVIRONMENT "${th_pkg_env}" LABELS packaging
                     SKIP_RETURN_CODE 77 TIMEOUT 60)
