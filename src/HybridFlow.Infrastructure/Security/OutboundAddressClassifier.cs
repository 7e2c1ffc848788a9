using System.Net;
using System.Net.Sockets;

namespace HybridFlow.Infrastructure.Security;

/// <summary>
/// Which addresses a tenant-set URL may not reach. IPv6 forms that carry an IPv4 address (IPv4-mapped, IPv4-compatible,
/// 6to4, NAT64, Teredo) are judged by that IPv4 address, so <c>::ffff:127.0.0.1</c> is loopback.
/// </summary>
internal static class OutboundAddressClassifier
{
    /// <summary>Null for an ordinary public address; otherwise what the address is (loopback, private, ...).</summary>
    public static string? Blocked(IPAddress address)
    {
        if (address.AddressFamily == AddressFamily.InterNetworkV6 && EmbeddedIPv4(address) is { } embedded) return BlockedV4(embedded);
        return address.AddressFamily switch
        {
            AddressFamily.InterNetwork => BlockedV4(address.GetAddressBytes()),
            AddressFamily.InterNetworkV6 => BlockedV6(address),
            _ => "not an IP address",
        };
    }

    private static string? BlockedV4(byte[] b)
    {
        if (b[0] == 169 && b[1] == 254 && b[2] == 169 && b[3] == 254) return "cloud metadata";
        if (b[0] == 0) return b is [0, 0, 0, 0] ? "unspecified" : "this-network (0.0.0.0/8)";
        if (b[0] == 127) return "loopback";
        if (b[0] == 10 || (b[0] == 172 && (b[1] & 0xF0) == 16) || (b[0] == 192 && b[1] == 168)) return "private";
        if (b[0] == 169 && b[1] == 254) return "link-local";
        if (b[0] == 100 && (b[1] & 0xC0) == 64) return "carrier-grade NAT (100.64.0.0/10)";
        // 192.0.0.0/24 holds other providers' metadata addresses (Oracle's 192.0.0.192); 198.18/15 is for benchmarks.
        if ((b[0] == 192 && b[1] == 0 && b[2] == 0) || (b[0] == 198 && (b[1] & 0xFE) == 18)) return "reserved";
        if ((b[0] & 0xF0) == 224) return "multicast";
        if ((b[0] & 0xF0) == 240) return b is [255, 255, 255, 255] ? "broadcast" : "reserved";
        return null;
    }

    private static string? BlockedV6(IPAddress address)
    {
        if (address.Equals(IPAddress.IPv6Any)) return "unspecified";
        if (address.Equals(IPAddress.IPv6Loopback)) return "loopback";
        var b = address.GetAddressBytes();
        if (b is [0xfd, 0x00, 0x0e, 0xc2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x54]) return "cloud metadata";
        if (b[0] == 0xfe && (b[1] & 0xC0) == 0x80) return "link-local";
        if (b[0] == 0xfe && (b[1] & 0xC0) == 0xC0) return "private (site-local)";
        if ((b[0] & 0xFE) == 0xfc) return "private (unique local)";
        if (b[0] == 0xff) return "multicast";
        // NAT64 local-use prefixes embed the IPv4 address where the operator chose: the whole /48 is an internal translator.
        if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && b[4] == 0x00 && b[5] == 0x01) return "private (NAT64 local-use)";
        return null;
    }

    /// <summary>The IPv4 address inside an IPv4-mapped, IPv4-compatible, 6to4, NAT64 (well-known prefix) or Teredo IPv6 address.</summary>
    private static byte[]? EmbeddedIPv4(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) return address.MapToIPv4().GetAddressBytes();
        var b = address.GetAddressBytes();
        // ::a.b.c.d (deprecated IPv4-compatible); :: and ::1 themselves are judged as IPv6.
        if (b.AsSpan(0, 12).IndexOfAnyExcept((byte)0) < 0 && !(b[12] == 0 && b[13] == 0 && b[14] == 0)) return b[12..16];
        if (b[0] == 0x20 && b[1] == 0x02) return b[2..6];                                     // 6to4 2002::/16
        if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && b.AsSpan(4, 8).IndexOfAnyExcept((byte)0) < 0)
            return b[12..16];                                                                 // NAT64 64:ff9b::/96
        if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0 && b[3] == 0)                           // Teredo 2001::/32: the client, inverted
            return [(byte)~b[12], (byte)~b[13], (byte)~b[14], (byte)~b[15]];
        return null;
    }
}
