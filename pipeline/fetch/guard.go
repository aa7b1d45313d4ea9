package fetch

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"syscall"
)

// Loopback is the Options.Allow of a client that must reach servers on
// this machine: tests, and a newsmon whose feeds are served locally.
var Loopback = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}

// ParseNetworks reads a comma-separated list of networks for
// Options.Allow: CIDR prefixes ("10.20.0.0/16") or single addresses
// ("192.0.2.7"), or "loopback". The error names the entry it cannot read.
func ParseNetworks(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		switch {
		case f == "":
			continue
		case f == "loopback":
			out = append(out, Loopback...)
			continue
		}
		if p, err := netip.ParsePrefix(f); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, fmt.Errorf("network %q: want a CIDR prefix (10.0.0.0/8), an address or \"loopback\"", f)
		}
		out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return out, nil
}

// Address ranges that are not on the public internet although they fall
// in the global unicast space (IANA's special-purpose address registries);
// private ranges are left to netip.
var notPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),   // carrier-grade NAT
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("192.0.2.0/24"),    // documentation
	netip.MustParsePrefix("192.88.99.0/24"),  // 6to4 relay anycast, deprecated
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("198.51.100.0/24"), // documentation
	netip.MustParsePrefix("203.0.113.0/24"),  // documentation
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, and broadcast
	netip.MustParsePrefix("2001::/23"),       // IETF protocol assignments: Teredo, ORCHID, benchmarking
	netip.MustParsePrefix("2001:db8::/32"),   // documentation
	netip.MustParsePrefix("3fff::/20"),       // documentation
}

var (
	globalV6   = netip.MustParsePrefix("2000::/3")     // the IPv6 global unicast space
	nat64      = netip.MustParsePrefix("64:ff9b::/96") // well-known NAT64: the last 32 bits are IPv4
	sixToFour  = netip.MustParsePrefix("2002::/16")    // 6to4: bits 16-48 are IPv4
	linkLocal4 = netip.MustParsePrefix("169.254.0.0/16")
	linkLocal6 = netip.MustParsePrefix("fe80::/10")
)

// guard is the dialer's ControlContext: it sees the resolved address just
// before connect and refuses, with ErrBlocked, every address that is
// neither public nor in Options.Allow.
func (c *Client) guard(_ context.Context, _, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: %s: %v", ErrBlocked, address, err)
	}
	if c.exempt != nil && c.exempt(ap) {
		return nil
	}
	if !allowed(ap.Addr(), c.opt.Allow) {
		return fmt.Errorf("%w: %s", ErrBlocked, ap.Addr())
	}
	return nil
}

// allowed reports whether a may be dialled: a public address, or one in an
// allowed network. Link-local addresses (cloud metadata services answer at
// 169.254.169.254) need a network inside the link-local range itself: a
// wide one that happens to cover it (0.0.0.0/0) does not count.
func allowed(a netip.Addr, allow []netip.Prefix) bool {
	a = a.Unmap()
	if public(a) {
		return true
	}
	ll := linkLocal4.Contains(a) || linkLocal6.Contains(a)
	for _, p := range allow {
		if !p.Contains(a) {
			continue
		}
		if ll && !(linkLocal4.Contains(p.Addr()) && p.Bits() >= linkLocal4.Bits() ||
			linkLocal6.Contains(p.Addr()) && p.Bits() >= linkLocal6.Bits()) {
			continue
		}
		return true
	}
	return false
}

// public reports whether a is a unicast address on the public internet. It
// is an allow-list: IPv4 global unicast outside the private and
// special-purpose ranges, IPv6 in 2000::/3 outside the special-purpose
// ranges, and NAT64 or 6to4 addresses whose IPv4 address is public.
func public(a netip.Addr) bool {
	a = a.Unmap()
	if !a.IsValid() {
		return false
	}
	if a.Is6() {
		switch {
		case nat64.Contains(a):
			b := a.As16()
			return public(netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]}))
		case sixToFour.Contains(a):
			b := a.As16()
			return public(netip.AddrFrom4([4]byte{b[2], b[3], b[4], b[5]}))
		case !globalV6.Contains(a):
			return false
		}
	}
	if !a.IsGlobalUnicast() || a.IsPrivate() {
		return false
	}
	for _, p := range notPublic {
		if p.Contains(a) {
			return false
		}
	}
	return true
}
