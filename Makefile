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
# The tools the app calls when they are there, and works without: dcmtk and
# gdcm decompress JPEG-lossless, JPEG 2000 and RLE imaging (key images);
# tesseract reads photographed letters (OCR), and poppler-utils' pdftoppm
# and pdftotext let it read scanned PDF pages; heif-convert opens iPhone
# HEIC photos. `make run` and `make test` install them.
RUN_PKGS   := dcmtk libgdcm-tools tesseract-ocr tesseract-ocr-eng poppler-utils libheif-examples

# FyneApp.toml is the one place the version is written: the binary embeds
# it (version.go); here it names the release tarball. The commit is told to
# the binary at link time, since go build stamps none in a git worktree.
APP_ID   := org.secondopinion.app
VERSION  := $(shell sed -n 's/^[[:space:]]*Version[[:space:]]*=[[:space:]]*"\(.*\)"/\1/p' FyneApp.toml)
COMMIT   := $(shell c=$$(git rev-parse --short=12 HEAD 2>/dev/null) && { git diff --quiet HEAD 2>/dev/null || c="$$c+changes"; echo "$$c"; })
LDFLAGS  := $(if $(COMMIT),-X main.gitCommit=$(COMMIT))
# Installing: `make user-install` into ~/.local, `make install` into PREFIX
# (through sudo when not root and PREFIX is not writable).
PREFIX   ?= /usr/local
DESTDIR  ?=
LINUX    := packaging/linux
SUDO     := $(shell [ "$$(id -u)" -eq 0 ] || [ -w "$(DESTDIR)$(PREFIX)" ] || echo sudo)
# Checking the desktop entry and AppStream file, and the Windows build.
PACKAGING_TEST_PKGS := desktop-file-utils appstream
WINDOWS_PKGS := gcc-mingw-w64-x86-64
FYNE_CLI := fyne.io/tools/cmd/fyne@v1.7.4
FYNE     ?= $(shell $(GO) env GOPATH)/bin/fyne
DIST     := out/secondopinion-$(VERSION)-linux-$(shell $(GO) env GOARCH)

.PHONY: all build run test deps run-deps test-deps check-fmt vet guard bench smoke clean
.PHONY: user-install user-uninstall install uninstall dist windows icons test-packaging

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

run-deps:
	$(call install_missing,$(RUN_PKGS))

test-deps: deps run-deps
	$(call install_missing,$(TEST_PKGS))
	$(call install_missing,$(PACKAGING_TEST_PKGS))

build: deps
	CGO_ENABLED=1 $(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) .

run: build run-deps
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

test: test-deps check-fmt vet guard build test-packaging
	CGO_ENABLED=1 $(GO) test -race -timeout 30m ./...
	# Sixty full-size letter photos in one e-mail: skipped under -race
	# (minutes of image work), run here without it.
	CGO_ENABLED=1 $(GO) test -timeout 20m -run 'TestEmailSixtyLetterPhotos' ./export
	# The pure-Go photo road alone, as a build without libjpeg-turbo has it.
	CGO_ENABLED=1 $(GO) test -tags noturbo -run 'PhotoRoads|ShrinkJPEG' ./export

# The desktop entry and AppStream file validate, and a user install into an
# empty temporary HOME works and its uninstall leaves nothing behind.
test-packaging: test-deps build
	desktop-file-validate $(LINUX)/$(APP_ID).desktop
	appstreamcli validate --no-net $(LINUX)/$(APP_ID).metainfo.xml
	sh packaging/test-install.sh

user-install: build
	sh $(LINUX)/install.sh --user --bin ./$(BIN)

user-uninstall:
	sh $(LINUX)/install.sh --user --uninstall

install: build
	$(SUDO) sh $(LINUX)/install.sh --prefix "$(PREFIX)" --destdir "$(DESTDIR)" --bin ./$(BIN)

uninstall:
	$(SUDO) sh $(LINUX)/install.sh --prefix "$(PREFIX)" --destdir "$(DESTDIR)" --uninstall

# A release tarball: unpack it anywhere and run ./install.sh (a user install).
dist: build
	rm -rf $(DIST) $(DIST).tar.gz
	mkdir -p $(DIST)
	cp $(BIN) README.md LICENSE $(LINUX)/install.sh $(LINUX)/$(APP_ID).desktop $(LINUX)/$(APP_ID).metainfo.xml $(DIST)/
	cp -r $(LINUX)/icons $(DIST)/
	tar -C out -czf $(DIST).tar.gz $(notdir $(DIST))
	rm -rf $(DIST)
	@echo "Made $(DIST).tar.gz"

# The icons at the sizes desktops look for, drawn from assets/icon.svg.
icons:
	$(call install_missing,librsvg2-bin)
	for n in 16 24 32 48 64 128 256 512; do \
	  mkdir -p $(LINUX)/icons/hicolor/$${n}x$${n}/apps; \
	  rsvg-convert -w $$n -h $$n assets/icon.svg -o $(LINUX)/icons/hicolor/$${n}x$${n}/apps/$(APP_ID).png; \
	done
	mkdir -p $(LINUX)/icons/hicolor/scalable/apps
	cp assets/icon.svg $(LINUX)/icons/hicolor/scalable/apps/$(APP_ID).svg

# A Windows .exe (GUI, icon and version from FyneApp.toml), cross-built with
# mingw-w64 through Fyne's packaging tool. Slow: about 10 minutes cold.
windows:
	$(call install_missing,$(WINDOWS_PKGS))
	@[ -x "$(FYNE)" ] || { echo "Installing Fyne's command-line tool ($(FYNE_CLI))"; $(GO) install $(FYNE_CLI); }
	rm -f "Second Opinion.exe"
	mkdir -p out/windows
	@# fyne package counts Build up in FyneApp.toml after every run; the
	@# version is ours to set, so FyneApp.toml is put back as it was. It
	@# also builds twice and passes GOFLAGS' -ldflags only to the first
	@# build, so the commit goes in through a file made for this build.
	cp FyneApp.toml out/windows/FyneApp.toml.before
	printf '// Code generated by make windows; DO NOT EDIT.\n\npackage main\n\nfunc init() { gitCommit = "%s" }\n' "$(COMMIT)" > version_stamp.go
	CC=x86_64-w64-mingw32-gcc CGO_ENABLED=1 GOOS=windows GOARCH=amd64 \
	  "$(FYNE)" package -os windows --release; rc=$$?; \
	  rm -f version_stamp.go; cp out/windows/FyneApp.toml.before FyneApp.toml && rm -f out/windows/FyneApp.toml.before; exit $$rc
	mv "Second Opinion.exe" out/windows/SecondOpinion.exe
	sh packaging/windows/check.sh out/windows/SecondOpinion.exe

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./records ./export

clean:
	rm -f $(BIN)
	rm -rf out/secondopinion-* out/windows
