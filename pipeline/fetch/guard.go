package fetch

import (
	"context"
	"fmt"
	"net/netip"
	"syscall"
)

// Ranges refused besides those netip classifies (loopback, private,
// link-local, multicast, unspecified): addresses that are not on the public
// internet but that a host may still route to.
var reserved = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),      // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),  // carrier-grade NAT
	netip.MustParsePrefix("192.0.0.0/24"),   // IETF protocol assignments
	netip.MustParsePrefix("198.18.0.0/15"),  // benchmarking
	netip.MustParsePrefix("240.0.0.0/4"),    // reserved, and broadcast
	netip.MustParsePrefix("64:ff9b:1::/48"), // local-use NAT64
	netip.MustParsePrefix("2001:db8::/32"),  // documentation
	netip.MustParsePrefix("100::/64"),       // discard-only
}

// nat64 is the well-known NAT64 prefix: its last 32 bits are an IPv4
// address, which must pass the same check.
var nat64 = netip.MustParsePrefix("64:ff9b::/96")

// guard is the dialer's ControlContext: it sees the resolved address just
// before connect and refuses non-public ones with ErrBlocked.
func (c *Client) guard(_ context.Context, _, address string, _ syscall.RawConn) error {
	if c.opt.AllowPrivate {
		return nil
	}
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: %s: %v", ErrBlocked, address, err)
	}
	if c.exempt != nil && c.exempt(ap) {
		return nil
	}
	if !public(ap.Addr()) {
		return fmt.Errorf("%w: %s", ErrBlocked, ap.Addr())
	}
	return nil
}

// public reports whether a is a unicast address on the public internet.
func public(a netip.Addr) bool {
	a = a.Unmap()
	if a.Is6() && nat64.Contains(a) {
		b := a.As16()
		a = netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]})
	}
	if a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() ||
		a.IsInterfaceLocalMulticast() || a.IsMulticast() || a.IsUnspecified() || !a.IsValid() {
		return false
	}
	for _, p := range reserved {
		if p.Contains(a) {
			return false
		}
	}
	return true
}
