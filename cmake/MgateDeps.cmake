# Find every library mgate links, and fail with the Debian package that
# provides it when one is missing. scripts/install-deps.sh installs them all.
find_package(PkgConfig)
if(NOT PKG_CONFIG_FOUND)
  message(FATAL_ERROR "pkg-config is missing: install the Debian package 'pkg-config' (or run scripts/install-deps.sh)")
endif()

set(MGATE_DEP_TARGETS "")
function(mgate_require_pkg module debian_pkg)
  pkg_check_modules(DEP_${module} QUIET IMPORTED_TARGET ${module})
  if(NOT DEP_${module}_FOUND)
    message(FATAL_ERROR "library '${module}' not found: install the Debian package '${debian_pkg}' (or run scripts/install-deps.sh)")
  endif()
  set(MGATE_DEP_TARGETS ${MGATE_DEP_TARGETS} PkgConfig::DEP_${module} PARENT_SCOPE)
endfunction()

mgate_require_pkg(inih libinih-dev)
mgate_require_pkg(jansson libjansson-dev)
mgate_require_pkg(sqlite3 libsqlite3-dev)
mgate_require_pkg(libpq libpq-dev)
mgate_require_pkg(libgit2 libgit2-dev)
mgate_require_pkg(libpcre2-8 libpcre2-dev)
mgate_require_pkg(libprotobuf-c libprotobuf-c-dev)

# libpg_query ships no pkg-config file on Debian.
find_path(PG_QUERY_INCLUDE pg_query.h)
find_library(PG_QUERY_LIB pg_query)
if(NOT PG_QUERY_INCLUDE OR NOT PG_QUERY_LIB)
  message(FATAL_ERROR "libpg_query not found: install the Debian package 'libpg-query-dev' (or run scripts/install-deps.sh)")
endif()
add_library(mgate_pg_query INTERFACE)
target_include_directories(mgate_pg_query INTERFACE ${PG_QUERY_INCLUDE})
target_link_libraries(mgate_pg_query INTERFACE ${PG_QUERY_LIB})
list(APPEND MGATE_DEP_TARGETS mgate_pg_query)
