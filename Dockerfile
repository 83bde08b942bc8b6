# syntax=docker/dockerfile:1
# caac as a container image, for pipelines that run tools from images:
#
#   docker build -t caac .
#   docker run --rm -v "$PWD:/work" caac lint
#
# Stage 1 builds a static binary on Alpine (musl: Rust links the C runtime
# statically for *-linux-musl targets); stage 2 is distroless/static, which
# holds CA certificates, /etc/passwd with a `nonroot` user and nothing else:
# no shell, no package manager (https://github.com/GoogleContainerTools/distroless).
# The toolchain is pinned to the version CI builds with (Cargo.toml's
# rust-version is the minimum); Cargo.lock pins every crate (--locked).

FROM rust:1.95-alpine AS build
SHELL ["/bin/ash", "-eo", "pipefail", "-c"]
# gcc and the musl headers build ring, rustls' cryptography provider.
# hadolint ignore=DL3018
RUN apk add --no-cache gcc musl-dev
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin caac \
 && ./target/release/caac --version \
 && if ldd ./target/release/caac 2>&1 | grep -q '=>'; then echo 'caac is not static' >&2; exit 1; fi

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /src/target/release/caac /usr/local/bin/caac
# The licence and the third-party notices travel with the binary.
COPY --from=build /src/LICENSE /src/THIRD-PARTY-NOTICES.md /usr/share/doc/caac/
ENV PATH=/usr/local/bin:/usr/bin:/bin
# The policy repository is mounted here; caac's defaults (policies/,
# tenant.yaml, .caac.yaml) resolve against it.
WORKDIR /work
# The `nonroot` user of the distroless image, by number so that any runtime
# can resolve it.
USER 65532:65532
ENTRYPOINT ["caac"]
CMD ["--help"]
