# templates/ — what `bpfkit new` generates. Installed to
# PREFIX/share/bpfkit/templates, where an installed bpfkit looks for them
# (next to its binary: BINDIR/../share/bpfkit/templates).
.PHONY: install-templates
install-templates:
	$(call msg,INSTALL,$(DESTDIR)$(PREFIX)/share/bpfkit/templates)
	$(Q)for d in $(patsubst templates/%/,%,$(sort $(dir $(wildcard templates/*/*)))); do \
		install -d $(DESTDIR)$(PREFIX)/share/bpfkit/templates/$$d && \
		(cd templates/$$d && find . -type f | while read -r f; do \
			install -D -m 644 "$$f" "$(DESTDIR)$(PREFIX)/share/bpfkit/templates/$$d/$$f"; done) || exit 1; \
	done
