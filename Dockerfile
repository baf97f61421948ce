# bytewatch: a static binary on a distroless base, run as a non-root user.
#
#   docker build -t bytewatch .
#   docker run --rm --env-file .env -v bytewatch-data:/data -p 127.0.0.1:9090:9090 bytewatch
#
# docs/deploy.md has the rest: one process with a volume, or a StatefulSet of
# shards (deploy/).

# --- build ---------------------------------------------------------------------
FROM golang:1.26-bookworm AS build
WORKDIR /src
# Modules first, so that a code change reuses the download layer.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# Pure Go (CGO off): a static binary that runs on an image with no libc.
# -trimpath keeps build paths out of it; the VCS revision is stamped from
# .git when the build context has it (`bytewatch version` shows it).
RUN CGO_ENABLED=0 GOOS=linux go build -trimpath -ldflags="-s -w" -o /out/bytewatch . \
    && /out/bytewatch version

# --- run -----------------------------------------------------------------------
# distroless/static: CA certificates, /etc/passwd with nonroot (65532), tzdata;
# no shell, no package manager.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/bytewatch /usr/local/bin/bytewatch
USER 65532:65532
# /data holds the index (INDEX_PATH) — and, with the records database, its
# SQLite file — across restarts: mount a volume there.
WORKDIR /data
VOLUME ["/data"]
# DATA_DIR is where the records database keeps bytewatch.db (SQLite) when
# DATABASE_URL is unset.
ENV INDEX_PATH=/data/index \
    DATA_DIR=/data \
    HEALTH_ADDR=:9090 \
    LOG_FORMAT=json
EXPOSE 9090
ENTRYPOINT ["/usr/local/bin/bytewatch"]
CMD ["run"]
