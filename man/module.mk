# man/module.mk — man pages generated from the --help texts (man/gen-man.sh):
# bpfkit(1) and bpfkit-COMMAND(1), xdpfw(8) and xdpfw-COMMAND(8), under
# $(BUILD)/man; `make install` puts them in $(PREFIX)/share/man.
MAN_DIR := $(BUILD)/man

$(MAN_DIR)/.stamp: $(BUILD)/bin/bpfkit $(BUILD)/bin/xdpfw man/gen-man.sh $(wildcard man/*.extra)
	$(call msg,MAN,$(MAN_DIR))
	$(Q)rm -rf $(MAN_DIR) && bash man/gen-man.sh $(BUILD)/bin/bpfkit 1 $(MAN_DIR)/man1 && \
		bash man/gen-man.sh $(BUILD)/bin/xdpfw 8 $(MAN_DIR)/man8 && touch $@

.PHONY: man
man: $(MAN_DIR)/.stamp
all: man
