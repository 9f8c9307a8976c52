using System.Text;
using Firn.GenericHost.Configuration;
using Microsoft.Extensions.Configuration;

namespace Firn.Tests.GenericHost.Configuration;

/// <summary>A <c>Firn</c> section in memory, bound and validated as <see cref="FirnConfiguration.Register"/> does.</summary>
internal static class FirnSection
{
    /// <summary>The section of an in-memory configuration; keys are relative to <c>Firn</c>.</summary>
    public static IConfigurationSection Of(params (string Key, string? Value)[] values) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => KeyValuePair.Create($"Firn:{v.Key}", v.Value)))
            .Build()
            .GetSection(FirnConfiguration.SectionName);

    /// <summary>The section of a JSON document (as in appsettings.json).</summary>
    public static IConfigurationSection OfJson(string json) =>
        new ConfigurationBuilder()
            .AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json)))
            .Build()
            .GetSection(FirnConfiguration.SectionName);

    /// <summary>The section bound to settings (what <c>IOptions&lt;FirnSettings&gt;</c> holds).</summary>
    public static FirnSettings Bind(IConfiguration section)
    {
        var settings = new FirnSettings();
        SettingsBinder.Bind(section, settings, problems: null);
        return settings;
    }

    /// <summary>Every problem the validation at start reports, none when the section is valid.</summary>
    public static IReadOnlyList<string> Problems(IConfiguration section, CodeDeclarations? code = null)
    {
        var result = new FirnSettingsValidator(section, code ?? new CodeDeclarations()).Validate(Microsoft.Extensions.Options.Options.DefaultName, Bind(section));
        return result.Failed ? [.. result.Failures!] : [];
    }

    /// <summary>What the code declared: these children with the default options.</summary>
    public static CodeDeclarations Declaring(params string[] processes)
    {
        var code = new CodeDeclarations();
        foreach (var name in processes)
        {
            code.Processes.Add(name, null);
        }

        return code;
    }
}
