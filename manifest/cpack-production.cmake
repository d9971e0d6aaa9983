# Read by cpack (CPACK_PROJECT_CONFIG_FILE, CMakeLists.txt) before it builds a package: the
# .deb is installed machine-wide, so it must come from a production build folder
# (-DTH_PRODUCTION=ON), whose host and manifests leave out the development stub's
# extension id (its key is in the repository: any unpacked extension can claim it).
if(CPACK_GENERATOR STREQUAL "DEB" AND NOT CPACK_TH_PRODUCTION)
  message(FATAL_ERROR "textus-host: the .deb is built from a production build folder only; "
                      "configure one with -DTH_PRODUCTION=ON (the development stub's extension "
                      "id is then left out of the host and the manifests), e.g. "
                      "cmake -S . -B build-deb -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTH_PRODUCTION=ON "
                      "&& cmake --build build-deb && (cd build-deb && cpack -G DEB)")
endif()
