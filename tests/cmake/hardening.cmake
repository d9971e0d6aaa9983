# Hardening (the outside security review): no core dumps, U+0000 and control characters,
# validation before sending, the caller checked first (strace), the lock file, rollback of
# the store and stalled frames, through the real binary against the fakes; and the review's
# list of refused attacks kept as regression tests.
add_test(NAME hardening COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/protocol/test_hardening.py)
set_tests_properties(hardening PROPERTIES ENVIRONMENT "${TH_TEST_ENV}" LABELS "protocol;hardening" TIMEOUT 300)

add_test(NAME attacks COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/reliability/attacks.py)
set_tests_properties(attacks PROPERTIES ENVIRONMENT "${TH_TEST_ENV}" LABELS "reliability;hardening" TIMEOUT 300)
