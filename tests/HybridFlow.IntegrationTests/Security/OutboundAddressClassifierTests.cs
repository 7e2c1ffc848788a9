using System.Net;
using HybridFlow.Infrastructure.Security;

namespace HybridFlow.IntegrationTests.Security;

/// <summary>The address classes a tenant-set URL may not reach (unit tests: no server, no DNS).</summary>
public sealed class OutboundAddressClassifierTests
{
    [TestCase("127.0.0.1", "loopback")]
    [TestCase("127.255.255.254", "loopback")]
    [TestCase("::1", "loopback")]
    [TestCase("10.0.0.1", "private")]
    [TestCase("10.255.255.255", "private")]
    [TestCase("172.16.0.0", "private")]
    [TestCase("172.31.255.255", "private")]
    [TestCase("192.168.0.1", "private")]
    [TestCase("169.254.169.254", "cloud metadata")]
    [TestCase("fd00:ec2::254", "cloud metadata")]
    [TestCase("169.254.0.1", "link-local")]
    [TestCase("fe80::1", "link-local")]
    [TestCase("febf:ffff::1", "link-local")]
    [TestCase("100.64.0.0", "carrier-grade NAT (100.64.0.0/10)")]
    [TestCase("100.127.255.255", "carrier-grade NAT (100.64.0.0/10)")]
    [TestCase("0.0.0.0", "unspecified")]
    [TestCase("0.1.2.3", "this-network (0.0.0.0/8)")]
    [TestCase("::", "unspecified")]
    [TestCase("fc00::1", "private (unique local)")]
    [TestCase("fdff:ffff::1", "private (unique local)")]
    [TestCase("fec0::1", "private (site-local)")]
    [TestCase("224.0.0.251", "multicast")]
    [TestCase("239.255.255.250", "multicast")]
    [TestCase("ff02::1", "multicast")]
    [TestCase("255.255.255.255", "broadcast")]
    [TestCase("240.0.0.1", "reserved")]
    [TestCase("192.0.0.192", "reserved")]
    [TestCase("198.18.0.1", "reserved")]
    [TestCase("64:ff9b:1::a", "private (NAT64 local-use)")]
    // IPv6 forms that carry an IPv4 address are judged by it.
    [TestCase("::ffff:127.0.0.1", "loopback")]
    [TestCase("::ffff:10.1.2.3", "private")]
    [TestCase("::ffff:169.254.169.254", "cloud metadata")]
    [TestCase("::127.0.0.1", "loopback")]
    [TestCase("2002:7f00:1::", "loopback")]
    [TestCase("2002:c0a8:101::1", "private")]
    [TestCase("64:ff9b::a9fe:a9fe", "cloud metadata")]
    [TestCase("64:ff9b::10.0.0.1", "private")]
    [TestCase("2001:0:4136:e378:8000:63bf:80ff:fffe", "loopback")] // Teredo, client 127.0.0.1 inverted
    public void Blocked_NamesTheClass(string address, string expected) =>
        Assert.That(OutboundAddressClassifier.Blocked(IPAddress.Parse(address)), Is.EqualTo(expected));

    [TestCase("93.184.215.14")]
    [TestCase("8.8.8.8")]
    [TestCase("1.1.1.1")]
    [TestCase("172.15.255.255")]
    [TestCase("172.32.0.0")]
    [TestCase("100.63.255.255")]
    [TestCase("100.128.0.0")]
    [TestCase("169.253.255.255")]
    [TestCase("192.167.255.255")]
    [TestCase("11.0.0.1")]
    [TestCase("223.255.255.255")]
    [TestCase("2606:4700:4700::1111")]
    [TestCase("2a00:1450:4001:82b::200e")]
    [TestCase("::ffff:8.8.8.8")]
    [TestCase("2002:808:808::1")]
    [TestCase("64:ff9b::808:808")]
    [TestCase("fe00::1")]
    public void Blocked_IsNullForPublicAddresses(string address) =>
        Assert.That(OutboundAddressClassifier.Blocked(IPAddress.Parse(address)), Is.Null);
}
