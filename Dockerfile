# mgate in a container, built from this tree on Debian 12. The build stage
# makes the Debian package; the runtime stage installs it with apt, so the
# image's libraries are the ones the package declares (dpkg-shlibdeps), and
# what it recommends: alembic and postgresql-client (pg_dump, pg_restore,
# psql). tests/cli/test_container.py builds it (or, with no container
# engine, runs its stages in clean Debian 12 roots).
#
#   docker build -t mgate .
#   docker run --rm -v "$PWD:/work" mgate check
#   docker run --rm -v "$PWD:/work" mgate ci --base origin/main
FROM debian:bookworm AS build
WORKDIR /src
COPY . .
RUN scripts/install-deps.sh build \
 && cmake -S . -B /build -DCMAKE_BUILD_TYPE=Release -DMGATE_TESTS=OFF \
 && cmake --build /build -j "$(nproc)" \
 && cd /build && cpack -G DEB -B /out \
 && rm -rf /var/lib/apt/lists/*

FROM debian:bookworm
COPY --from=build /out/mgate_*.deb /tmp/
RUN apt-get update \
 && apt-get install -y /tmp/mgate_*.deb \
 && rm -rf /var/lib/apt/lists/* /tmp/mgate_*.deb
WORKDIR /work
ENTRYPOINT ["mgate"]
CMD ["--help"]
