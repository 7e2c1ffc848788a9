using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;

namespace HybridFlow.Infrastructure.Security;

internal static class DataProtectionKeyRing
{
    /// <summary>
    /// Data Protection's keys in PostgreSQL (table data_protection_keys, V0014), encrypted with SECRETS_ENCRYPTION_KEY:
    /// every replica reads the cookies the others issued, and a restart logs nobody out.
    /// </summary>
    public static IServiceCollection AddDataProtectionKeysInPostgres(this IServiceCollection services)
    {
        services.AddDataProtection().SetApplicationName("HybridFlow");
        services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(sp => new ConfigureOptions<KeyManagementOptions>(o =>
        {
            o.XmlRepository = new PostgresXmlRepository(sp.GetRequiredService<NpgsqlDataSource>());
            o.XmlEncryptor = new SecretXmlEncryptor(sp.GetRequiredService<SecretProtector>());
        }));
        return services;
    }
}

/// <summary>The key ring's XML elements, one row each. Data Protection calls it rarely (its key ring is cached) and synchronously.</summary>
internal sealed class PostgresXmlRepository : IXmlRepository
{
    private readonly NpgsqlDataSource _dataSource;

    public PostgresXmlRepository(NpgsqlDataSource dataSource) => _dataSource = dataSource;

    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var cmd = _dataSource.CreateCommand("SELECT xml FROM data_protection_keys ORDER BY id");
        using var reader = cmd.ExecuteReader();
        var elements = new List<XElement>();
        while (reader.Read()) elements.Add(XElement.Parse(reader.GetString(reader.GetOrdinal("xml"))));
        return elements;
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        using var cmd = _dataSource.CreateCommand(
            "INSERT INTO data_protection_keys (friendly_name, xml) VALUES ($1, $2) ON CONFLICT (friendly_name) DO NOTHING");
        cmd.Parameters.AddWithValue(friendlyName);
        cmd.Parameters.AddWithValue(element.ToString(SaveOptions.DisableFormatting));
        cmd.ExecuteNonQuery();
    }
}

/// <summary>Encrypts a key's XML with the secrets-at-rest key (AES-256-GCM) before it is stored.</summary>
internal sealed class SecretXmlEncryptor : IXmlEncryptor
{
    internal const string ValueElement = "value";
    internal const string EncryptedKeyElement = "encryptedKey";
    /// <summary>The associated data of every Data Protection key's secret (keys are rows of their own, found by their XML id).</summary>
    internal const string Context = "data_protection_keys.xml";
    private readonly SecretProtector _protector;

    public SecretXmlEncryptor(SecretProtector protector) => _protector = protector;

    public EncryptedXmlInfo Encrypt(XElement plaintextElement) => new(
        new XElement(EncryptedKeyElement,
            new XComment(" Encrypted with SECRETS_ENCRYPTION_KEY. "),
            new XElement(ValueElement, _protector.Protect(plaintextElement.ToString(SaveOptions.DisableFormatting), Context))),
        typeof(SecretXmlDecryptor));
}

/// <summary>Data Protection creates it by type name, with the service provider, to read a stored key.</summary>
internal sealed class SecretXmlDecryptor : IXmlDecryptor
{
    private readonly SecretProtector _protector;

    public SecretXmlDecryptor(IServiceProvider services) => _protector = services.GetRequiredService<SecretProtector>();

    public XElement Decrypt(XElement encryptedElement) =>
        XElement.Parse(_protector.Unprotect(encryptedElement.Element(SecretXmlEncryptor.ValueElement)?.Value, SecretXmlEncryptor.Context)
                       ?? throw new InvalidOperationException("The stored Data Protection key has no value."));
}
