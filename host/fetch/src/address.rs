//! Special-purpose address blocks: which resolved addresses a node may never reach
//! through an ordinary host rule.
//!
//! Every address is first normalised (an IPv4-mapped IPv6 address `::ffff:a.b.c.d` *is*
//! the IPv4 address `a.b.c.d`: the kernel connects to the IPv4 host), then classified by
//! the most specific block of the table in the crate docs that contains it. The block is
//! kept with the class because a `dynamic-target` CIDR lifts a refusal only when the CIDR
//! lies entirely inside that block: `169.254.0.0/16` opens link-local addresses but not
//! `169.254.169.254`, and `0.0.0.0/0` opens none of them.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ipnet::{IpNet, Ipv4Net, Ipv6Net};

/// What kind of destination an address is, as far as egress rules care.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AddressClass {
    /// Any address not listed below (public or private-range): reachable through any
    /// matching rule.
    Ordinary,
    /// `127.0.0.0/8`, `::1`: the pod itself.
    Loopback,
    /// `0.0.0.0/8`, `::`: connecting there reaches the local host on Linux.
    Unspecified,
    /// `169.254.0.0/16`, `fe80::/10`.
    LinkLocal,
    /// Cloud instance metadata and platform endpoints (credentials live there).
    CloudMetadata,
    /// `224.0.0.0/4`, `ff00::/8`.
    Multicast,
    /// `255.255.255.255`.
    Broadcast,
    /// Reserved or transition blocks that no workflow dependency legitimately uses
    /// (`240.0.0.0/4`, IPv4-compatible `::/96`, SIIT `::ffff:0:0:0/96`, local NAT64
    /// `64:ff9b:1::/48`).
    Reserved,
}

impl AddressClass {
    /// Human wording used in refusal messages.
    pub fn describe(self) -> &'static str {
        match self {
            AddressClass::Ordinary => "an ordinary address",
            AddressClass::Loopback => "loopback (this pod itself)",
            AddressClass::Unspecified => "the unspecified address (this host)",
            AddressClass::LinkLocal => "link-local",
            AddressClass::CloudMetadata => "a cloud metadata endpoint",
            AddressClass::Multicast => "multicast",
            AddressClass::Broadcast => "broadcast",
            AddressClass::Reserved => "a reserved address block",
        }
    }
}

impl fmt::Display for AddressClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.describe())
    }
}

/// The class of an address and the most specific special block holding it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Classification {
    /// The class.
    pub class: AddressClass,
    /// The block the class comes from (`0.0.0.0/0` or `::/0` for ordinary addresses).
    pub block: IpNet,
}

impl Classification {
    /// True when a CIDR rule for `net` (already known to contain the address) may
    /// reach this address: always for ordinary addresses, otherwise only when the CIDR
    /// is aimed at the special block itself.
    pub fn lifted_by(&self, net: &IpNet) -> bool {
        self.class == AddressClass::Ordinary || self.block.contains(net)
    }
}

/// Maps an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`) to its IPv4 address; every
/// other address is returned unchanged.
pub fn normalize(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(v6),
        },
        v4 => v4,
    }
}

/// Normalises a CIDR the same way: `::ffff:10.0.0.0/104` is `10.0.0.0/8`.
pub fn normalize_net(net: IpNet) -> IpNet {
    if let IpNet::V6(v6) = net
        && v6.prefix_len() >= 96
        && let Some(v4) = v6.network().to_ipv4_mapped()
        && let Ok(v4net) = Ipv4Net::new(v4, v6.prefix_len() - 96)
    {
        return IpNet::V4(v4net);
    }
    net
}

/// Classifies a (normalised or not) address.
pub fn classify(ip: IpAddr) -> Classification {
    match normalize(ip) {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => classify_v6(v6),
    }
}

/// The IPv4 table, most specific blocks first.
const V4_TABLE: &[([u8; 4], u8, AddressClass)] = &[
    ([169, 254, 169, 254], 32, AddressClass::CloudMetadata), // AWS, GCP, Azure, OCI...
    ([168, 63, 129, 16], 32, AddressClass::CloudMetadata),   // Azure WireServer
    ([100, 100, 100, 200], 32, AddressClass::CloudMetadata), // Alibaba Cloud
    ([0, 0, 0, 0], 8, AddressClass::Unspecified),
    ([127, 0, 0, 0], 8, AddressClass::Loopback),
    ([169, 254, 0, 0], 16, AddressClass::LinkLocal),
    ([224, 0, 0, 0], 4, AddressClass::Multicast),
    ([255, 255, 255, 255], 32, AddressClass::Broadcast),
    ([240, 0, 0, 0], 4, AddressClass::Reserved),
];

/// The IPv6 table, most specific blocks first (NAT64 is handled separately).
const V6_TABLE: &[([u16; 8], u8, AddressClass)] = &[
    ([0, 0, 0, 0, 0, 0, 0, 0], 128, AddressClass::Unspecified),
    ([0, 0, 0, 0, 0, 0, 0, 1], 128, AddressClass::Loopback),
    (
        [0xfd20, 0xce, 0, 0, 0, 0, 0, 0x254],
        128,
        AddressClass::CloudMetadata,
    ), // GCP
    (
        [0xfd00, 0xec2, 0, 0, 0, 0, 0, 0],
        32,
        AddressClass::CloudMetadata,
    ), // AWS
    ([0xfe80, 0, 0, 0, 0, 0, 0, 0], 10, AddressClass::LinkLocal),
    ([0xff00, 0, 0, 0, 0, 0, 0, 0], 8, AddressClass::Multicast),
    ([0, 0, 0, 0, 0, 0, 0, 0], 96, AddressClass::Reserved), // IPv4-compatible
    ([0, 0, 0, 0, 0xffff, 0, 0, 0], 96, AddressClass::Reserved), // SIIT ::ffff:0:a.b.c.d
    ([0x64, 0xff9b, 1, 0, 0, 0, 0, 0], 48, AddressClass::Reserved), // local-use NAT64
];

fn classify_v4(ip: Ipv4Addr) -> Classification {
    for (octets, prefix, class) in V4_TABLE {
        if let Ok(net) = Ipv4Net::new(Ipv4Addr::from(*octets), *prefix)
            && net.contains(&ip)
        {
            return Classification {
                class: *class,
                block: IpNet::V4(net),
            };
        }
    }
    Classification {
        class: AddressClass::Ordinary,
        block: IpNet::V4(Ipv4Net::default()),
    }
}

/// The well-known NAT64 prefix: `64:ff9b::a.b.c.d` reaches `a.b.c.d` through a
/// translator, so it is classified by the IPv4 address it embeds.
const NAT64: [u16; 8] = [0x64, 0xff9b, 0, 0, 0, 0, 0, 0];

fn classify_v6(ip: Ipv6Addr) -> Classification {
    let ordinary = Classification {
        class: AddressClass::Ordinary,
        block: IpNet::V6(Ipv6Net::default()),
    };
    if let Ok(nat64) = Ipv6Net::new(Ipv6Addr::from(NAT64), 96)
        && nat64.contains(&ip)
    {
        let o = ip.octets();
        let embedded = classify_v4(Ipv4Addr::new(o[12], o[13], o[14], o[15]));
        return match embedded.block {
            IpNet::V4(v4block) if embedded.class != AddressClass::Ordinary => {
                let mut block = nat64.network().octets();
                block[12..].copy_from_slice(&v4block.network().octets());
                match Ipv6Net::new(Ipv6Addr::from(block), 96 + v4block.prefix_len()) {
                    Ok(net) => Classification {
                        class: embedded.class,
                        block: IpNet::V6(net),
                    },
                    Err(_) => ordinary,
                }
            }
            _ => ordinary,
        };
    }
    for (segments, prefix, class) in V6_TABLE {
        if let Ok(net) = Ipv6Net::new(Ipv6Addr::from(*segments), *prefix)
            && net.contains(&ip)
        {
            return Classification {
                class: *class,
                block: IpNet::V6(net),
            };
        }
    }
    ordinary
}

#[cfg(test)]
mod tests {
    use super::*;

    fn class(s: &str) -> AddressClass {
        classify(s.parse().expect("test address")).class
    }

    #[test]
    fn ipv4_special_blocks_are_classified() {
        assert_eq!(class("169.254.169.254"), AddressClass::CloudMetadata);
        assert_eq!(class("169.254.1.1"), AddressClass::LinkLocal);
        assert_eq!(class("100.100.100.200"), AddressClass::CloudMetadata);
        assert_eq!(class("0.0.0.0"), AddressClass::Unspecified);
        assert_eq!(class("0.1.2.3"), AddressClass::Unspecified);
        assert_eq!(class("127.0.0.1"), AddressClass::Loopback);
        assert_eq!(class("127.255.0.9"), AddressClass::Loopback);
        assert_eq!(class("224.0.0.1"), AddressClass::Multicast);
        assert_eq!(class("255.255.255.255"), AddressClass::Broadcast);
        assert_eq!(class("250.1.1.1"), AddressClass::Reserved);
    }

    #[test]
    fn private_and_public_ipv4_are_ordinary() {
        for ip in [
            "10.0.0.1",
            "172.16.5.4",
            "192.168.1.1",
            "100.64.0.1",
            "8.8.8.8",
        ] {
            assert_eq!(class(ip), AddressClass::Ordinary, "{ip}");
        }
    }

    #[test]
    fn ipv6_special_blocks_are_classified() {
        assert_eq!(class("::"), AddressClass::Unspecified);
        assert_eq!(class("::1"), AddressClass::Loopback);
        assert_eq!(class("fe80::1"), AddressClass::LinkLocal);
        assert_eq!(class("febf::1"), AddressClass::LinkLocal);
        assert_eq!(class("fd00:ec2::254"), AddressClass::CloudMetadata);
        assert_eq!(class("fd00:ec2:1::"), AddressClass::CloudMetadata);
        assert_eq!(class("fd20:ce::254"), AddressClass::CloudMetadata);
        assert_eq!(class("ff02::1"), AddressClass::Multicast);
        assert_eq!(class("::7f00:1"), AddressClass::Reserved);
        assert_eq!(class("64:ff9b:1::1"), AddressClass::Reserved);
        assert_eq!(class("2606:4700::1111"), AddressClass::Ordinary);
        assert_eq!(class("fd12:3456::1"), AddressClass::Ordinary);
    }

    #[test]
    fn ipv4_mapped_addresses_are_classified_as_their_ipv4_address() {
        assert_eq!(class("::ffff:169.254.169.254"), AddressClass::CloudMetadata);
        assert_eq!(class("::ffff:127.0.0.1"), AddressClass::Loopback);
        assert_eq!(class("::ffff:8.8.8.8"), AddressClass::Ordinary);
        assert_eq!(
            normalize("::ffff:10.1.2.3".parse().expect("addr")),
            "10.1.2.3".parse::<IpAddr>().expect("addr")
        );
    }

    #[test]
    fn nat64_addresses_are_classified_by_the_embedded_ipv4_address() {
        let c = classify("64:ff9b::a9fe:a9fe".parse().expect("addr"));
        assert_eq!(c.class, AddressClass::CloudMetadata);
        assert_eq!(
            c.block,
            "64:ff9b::a9fe:a9fe/128".parse::<IpNet>().expect("net")
        );
        assert_eq!(class("64:ff9b::7f00:1"), AddressClass::Loopback);
        assert_eq!(class("64:ff9b::808:808"), AddressClass::Ordinary);
    }

    #[test]
    fn a_cidr_lifts_a_special_block_only_when_it_lies_inside_it() {
        let meta = classify("169.254.169.254".parse().expect("addr"));
        let net = |s: &str| s.parse::<IpNet>().expect("net");
        assert!(meta.lifted_by(&net("169.254.169.254/32")));
        assert!(!meta.lifted_by(&net("169.254.0.0/16")));
        assert!(!meta.lifted_by(&net("0.0.0.0/0")));
        let ll = classify("169.254.3.3".parse().expect("addr"));
        assert!(ll.lifted_by(&net("169.254.0.0/16")));
        assert!(!ll.lifted_by(&net("128.0.0.0/1")));
        let ordinary = classify("10.1.1.1".parse().expect("addr"));
        assert!(ordinary.lifted_by(&net("0.0.0.0/0")));
    }

    #[test]
    fn mapped_cidrs_are_normalised_to_ipv4() {
        let net: IpNet = "::ffff:10.0.0.0/104".parse().expect("net");
        assert_eq!(
            normalize_net(net),
            "10.0.0.0/8".parse::<IpNet>().expect("net")
        );
        let v6: IpNet = "2001:db8::/32".parse().expect("net");
        assert_eq!(normalize_net(v6), v6);
    }
}
