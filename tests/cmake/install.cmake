# Install: scripts/install.sh and scripts/uninstall.sh into a fake $HOME.
add_test(NAME install COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/install/test_install.py)
set_tests_properties(install PROPERTIES ENVIRONMENT "${TH_TEST_ENV}" LABELS install TIMEOUT 120)
# textus-host doctor: every installation finding (fake $HOME), and the configuration findings.
add_test(NAME doctor COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/install/test_doctor.py)
set_tests_properties(doctor PROPERTIES ENVIRONMENT "${TH_TEST_ENV}" LABELS install TIMEOUT 180)
add_test(NAME doctor_config COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/install/test_doctor_config.py)
set_tests_properties(doctor_config PROPERTIES ENVIRONMENT "${TH_TEST_ENV}" LABELS install TIMEOUT 180)
add_test(NAME doctor_online COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/install/test_doctor_online.py)
set_tests_properties(doctor_online PROPERTIES ENVIRONMENT "${TH_TEST_ENV}" LABELS install TIMEOUT 180)
# Command-line conventions: --help, named errors, suggestions, exit codes (the real binary).
add_test(NAME cli_conventions COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/install/test_cli.py)
set_tests_properties(cli_conventions PROPERTIES ENVIRONMENT "${TH_TEST_ENV}" LABELS install TIMEOUT 120)
