# Build the release binary on the official Swift image; run it on slim Debian.
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
ENTRYPOINT ["/usr/local/bin/ballast"]
CMD ["check", "--snapshot", "/etc/ballast/examples/snapshot.json", "--strategy", "/etc/ballast/strategies/majors.yaml"]
