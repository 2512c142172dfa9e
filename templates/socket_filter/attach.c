#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <linux/if_ether.h>
#define ATTACH_NEEDS_IFACE 1	/* -i: no default, checked before loading */
#define ATTACH_USAGE "  -i, --iface IF     the interface a packet socket listens on (required)\n"

static int attach(struct bpf_object *obj, struct bpf_program *prog, const struct options *o,
		  struct attached *a)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL) };
	int prog_fd = bpf_program__fd(prog), sock, err;

	(void)obj;
	if (!o->iface) {
		fprintf(stderr, "@NAME@: say which interface with -i IFACE\n");
		return -EINVAL;
	}
	sll.sll_ifindex = if_nametoindex(o->iface);
	if (!sll.sll_ifindex) {
		fprintf(stderr, "@NAME@: no interface '%s'\n", o->iface);
		return -ENODEV;
	}
	/* the filter runs for this socket only: a packet socket on IFACE */
	sock = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
	if (sock < 0)
		return -errno;
	if (bind(sock, (struct sockaddr *)&sll, sizeof(sll)) ||
	    setsockopt(sock, SOL_SOCKET, SO_ATTACH_BPF, &prog_fd, sizeof(prog_fd))) {
		err = -errno;
		close(sock);
		return err;
	}
	return keep_fd(a, sock);
}
