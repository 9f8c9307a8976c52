using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;

namespace Firn.Tests.Architecture;

/// <summary>
/// The source files a portable PDB records for types that have no method bodies (enums, interfaces, delegates): Roslyn's
/// TypeDefinitionDocuments custom debug information, which Mono.Cecil does not read.
/// </summary>
internal static class TypeDocuments
{
    private static readonly Guid Kind = new("932E74BC-DBA9-4478-8D46-0F32A7BAB3D3");

    /// <summary>The documents of each such type, by the type's metadata token.</summary>
    public static Dictionary<int, List<string>> Read(string pdbPath)
    {
        var declared = new Dictionary<int, List<string>>();
        using var stream = File.OpenRead(pdbPath);
        using var provider = MetadataReaderProvider.FromPortablePdbStream(stream);
        var reader = provider.GetMetadataReader();
        foreach (var handle in reader.CustomDebugInformation)
        {
            var information = reader.GetCustomDebugInformation(handle);
            if (information.Parent.Kind != HandleKind.TypeDefinition || reader.GetGuid(information.Kind) != Kind)
            {
                continue;
            }

            var documents = new List<string>();
            var blob = reader.GetBlobReader(information.Value);
            while (blob.RemainingBytes > 0)
            {
                var document = reader.GetDocument(MetadataTokens.DocumentHandle(blob.ReadCompressedInteger()));
                documents.Add(reader.GetString(document.Name));
            }

            declared.Add(MetadataTokens.GetToken((TypeDefinitionHandle)information.Parent), documents);
        }

        return declared;
    }
}
