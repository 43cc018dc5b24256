# Build the release binary on the official Swift image (6.3: Hummingbird 2.28,
# swift-service-lifecycle 2.13 and swift-prometheus 2.4 need tools 6.2); run it on slim Debian.
FROM swift:6.3-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends libcurl4-openssl-dev coinor-libcbc-dev libsqlite3-dev zlib1g-dev pkg-config \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift ./
COPY Sources ./Sources
COPY Tests ./Tests
RUN swift build -c release --static-swift-stdlib --product ballast \
 && install -D "$(swift build -c release --show-bin-path)/ballast" /out/ballast

FROM debian:bookworm-slim
# The runtime halves of the libraries the build linked: libcurl, CBC, SQLite, zlib.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libcurl4 coinor-libcbc3 libsqlite3-0 zlib1g ca-certificates tzdata \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /var/lib/ballast --create-home ballast
COPY --from=build /out/ballast /usr/local/bin/ballast
# Configuration is baked in; mount over /etc/ballast/chains or /etc/ballast/strategies to override.
COPY chains /etc/ballast/chains
COPY strategies /etc/ballast/strategies
COPY examples /etc/ballast/examples
USER ballast
WORKDIR /var/lib/ballast
# The journal lives here: mount a volume, and give it to one service (or one cron job), never both.
VOLUME ["/var/lib/ballast"]
ENV BALLAST_JOURNAL=/var/lib/ballast/ballast.db
EXPOSE 8080
# The image has no curl: `ballast health` asks /readyz and exits 0 or 1.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["/usr/local/bin/ballast", "health", "--url", "http://127.0.0.1:8080"]
ENTRYPOINT ["/usr/local/bin/ballast"]
# Listening beyond loopback needs BALLAST_API_TOKEN in the environment (the service refuses to start without it).
CMD ["serve", "--chains", "/etc/ballast/chains", "--strategy", "/etc/ballast/strategies/majors.yaml", "--listen", "0.0.0.0:8080"]
