# Second Opinion — build, run and test.
# `make run` and `make test` install the Debian packages they need when absent.

BIN      := secondopinion
GO       ?= go
# Packages Fyne needs to build (cgo + X11/GL headers), to run headless
# (Xvfb, Mesa) and the tools the tests use to check PDFs and the window.
# libturbojpeg0-dev: export decodes photos with libjpeg-turbo, linked
# statically from its .a (the built binary does not need the package).
BUILD_PKGS := gcc libc6-dev pkg-config libgl-dev libx11-dev libxcursor-dev \
              libxrandr-dev libxinerama-dev libxi-dev libxxf86vm-dev \
              libwayland-dev libxkbcommon-dev libturbojpeg0-dev
TEST_PKGS  := qpdf poppler-utils xvfb xdotool x11-utils libgl1 libgl1-mesa-dri \
              libglx-mesa0 imagemagick fonts-dejavu-core

.PHONY: all build run test deps test-deps check-fmt vet guard bench smoke clean

all: build

# install_missing installs the Debian packages in $(1) that are not yet
# installed, so a second run costs nothing (through sudo when not root).
define install_missing
	@missing=""; for p in $(1); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing system packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" -ne 0 ] && SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi
endef

deps:
	$(call install_missing,$(BUILD_PKGS))

test-deps: deps
	$(call install_missing,$(TEST_PKGS))

build: deps
	CGO_ENABLED=1 $(GO) build -o $(BIN) .

run: build
	./$(BIN)

check-fmt:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet:
	CGO_ENABLED=1 $(GO) vet ./...

# records and export must never depend on Fyne (see ../shared/STYLE.md).
guard:
	@if $(GO) list -deps ./records ./export | grep -q '^fyne.io/'; then \
	  echo "records or export imports Fyne: keep the GUI in ui/"; exit 1; fi

test: test-deps check-fmt vet guard build
	CGO_ENABLED=1 $(GO) test -race -timeout 30m ./...
# The pure-Go photo road alone, as a build without libjpeg-turbo has it.
	CGO_ENABLED=1 $(GO) test -tags noturbo -run 'PhotoRoads|ShrinkJPEG' ./export

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./records ./export

clean:
	rm -f $(BIN)
