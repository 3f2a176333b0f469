# mgate in a container: build on Debian 12, ship the binary, its rules and
# the real Alembic it stands in front of.
FROM debian:bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends cmake make gcc pkg-config \
      libpq-dev libsqlite3-dev libgit2-dev libpcre2-dev libcmocka-dev libpg-query-dev \
      libprotobuf-c-dev libinih-dev libjansson-dev libssl-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cmake -S . -B /build -DCMAKE_BUILD_TYPE=Release -DMGATE_TESTS=OFF \
 && cmake --build /build -j "$(nproc)" \
 && cmake --install /build --prefix /opt/mgate

# the libraries mgate links; postgresql-client brings pg_dump, pg_restore
# and psql for backups and restores.
FROM debian:bookworm
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpq5 libsqlite3-0 libgit2-1.5 libpcre2-8-0 \
      libpg-query1504.0 libprotobuf-c1 libinih1 libjansson4 libssl3 alembic python3 postgresql-client \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /opt/mgate /usr/local
WORKDIR /work
ENTRYPOINT ["mgate"]
CMD ["--help"]
