# Build and install ConvTutor.
#
#   make                      the release binary, with the Swift runtime linked in (runs without the toolchain)
#   make install              installs under /usr/local (PREFIX=~/.local for your account only)
#   make uninstall            removes what install put there
#   make man                  regenerates docs/man/convtutor.1 from the commands' own help
#
# Needs at run time only the system libraries listed in the README (ncursesw, libpng, libjpeg, zlib,
# libcrypto); the Swift runtime and Foundation are linked statically (--static-swift-stdlib).

PREFIX ?= /usr/local
DESTDIR ?=
SWIFT ?= swift
BUILD_FLAGS ?= -c release --static-swift-stdlib

BINDIR = $(DESTDIR)$(PREFIX)/bin
SHAREDIR = $(DESTDIR)$(PREFIX)/share/convtutor
MANDIR = $(DESTDIR)$(PREFIX)/share/man/man1
BASHDIR = $(DESTDIR)$(PREFIX)/share/bash-completion/completions
ZSHDIR = $(DESTDIR)$(PREFIX)/share/zsh/site-functions
FISHDIR = $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d

.PHONY: all build install uninstall man

all: build

build:
	$(SWIFT) build $(BUILD_FLAGS) --product convtutor

# The binary finds lessons/, sample-images/ and the pretrained model in ../share/convtutor beside its
# own folder (see ShippedFolder and PretrainedModel), so the layout below is all it needs.
install: build
	@bin="$$($(SWIFT) build $(BUILD_FLAGS) --show-bin-path)/convtutor"; \
	install -d "$(BINDIR)" "$(SHAREDIR)" "$(MANDIR)" "$(BASHDIR)" "$(ZSHDIR)" "$(FISHDIR)" && \
	install -m 755 -s "$$bin" "$(BINDIR)/convtutor" && \
	rm -rf "$(SHAREDIR)/lessons" "$(SHAREDIR)/sample-images" && \
	cp -R lessons sample-images "$(SHAREDIR)/" && \
	install -m 644 Sources/Networks/Resources/lenet5-mnist.safetensors "$(SHAREDIR)/" && \
	install -m 644 docs/man/convtutor.1 "$(MANDIR)/convtutor.1" && \
	"$$bin" --generate-completion-script bash > "$(BASHDIR)/convtutor" && \
	"$$bin" --generate-completion-script zsh > "$(ZSHDIR)/_convtutor" && \
	"$$bin" --generate-completion-script fish > "$(FISHDIR)/convtutor.fish" && \
	echo "Installed convtutor in $(BINDIR), its lessons, sample images and model in $(SHAREDIR)."

uninstall:
	rm -f "$(BINDIR)/convtutor" "$(MANDIR)/convtutor.1" "$(BASHDIR)/convtutor" "$(ZSHDIR)/_convtutor" "$(FISHDIR)/convtutor.fish"
	rm -rf "$(SHAREDIR)"

man:
	$(SWIFT) package generate-manual --configuration debug --authors "The ConvTutor authors"
	cp .build/plugins/GenerateManual/outputs/convtutor/convtutor.1 docs/man/convtutor.1
