using Mono.Cecil;

namespace Firn.Tests.Architecture;

/// <summary>A top-level type of the assembly with its layer: the folder of its source files.</summary>
/// <param name="Type">The type (nested and compiler-generated types belong to their outermost declaring type).</param>
/// <param name="Layer">The layer: the folder under the source root, or the root layer for files at the root.</param>
/// <param name="Folder">The folder under the source root ("" for the root), or null if no source file was found.</param>
/// <param name="Documents">The type's source files, relative to the source root (none if it fell back to its namespace).</param>
internal sealed record LayeredType(TypeDefinition Type, string Layer, string? Folder, IReadOnlyList<string> Documents)
{
    public string Name => LayeredAssembly.DisplayName(Type);

    /// <summary>" at File.cs" for a type in one file; "" for a partial type, whose members' files are unknown.</summary>
    public string At => Documents.Count == 1 ? $" at {Documents[0]}" : "";

    /// <summary>Whether code outside the assembly can see the type.</summary>
    public bool IsPublic => Type.IsPublic;
}

/// <summary>How an assembly's source is laid out in layers.</summary>
/// <param name="SourceRoot">The source folder whose sub-folders are the layers, as a path fragment: "src/Firn/".</param>
/// <param name="RootNamespace">The namespace of the public types and of the internal types at the root: "Firn".</param>
/// <param name="RootLayer">The layer of the files at the root of the source folder.</param>
/// <param name="Rules">The declared layers (a folder that is not one is a problem) and what each may use.</param>
/// <param name="Pinned">Types placed in a layer by full name whatever their folder (the shared leaf types).</param>
/// <param name="BodilessPublicTypes">The folders of public root-namespace types that have no source file in the PDB.</param>
internal sealed record SourceLayout(
    string SourceRoot,
    string RootNamespace,
    string RootLayer,
    LayerRules Rules,
    IReadOnlyDictionary<string, string> Pinned,
    IReadOnlyDictionary<string, string> BodilessPublicTypes);

/// <summary>
/// An assembly read with its portable PDB (Mono.Cecil), each of its types given a layer from the folder of its
/// source files. A type's files come from the sequence points of its methods (and of its nested and compiler-generated
/// types'), or for a type without method bodies (an enum, an interface, a delegate) from the PDB's
/// type-definition-documents record. A type with neither falls back to its namespace: a sub-namespace names the folder,
/// an internal type in the root namespace is at the root, and a public one in the root namespace must be named in
/// <see cref="SourceLayout.BodilessPublicTypes"/>, since public types are all in the root namespace whatever their folder.
/// </summary>
internal sealed class LayeredAssembly : IDisposable
{
    private readonly Dictionary<TypeDefinition, LayeredType> _byType = [];
    private readonly DefaultAssemblyResolver _resolver;

    private LayeredAssembly(ModuleDefinition module, DefaultAssemblyResolver resolver, SourceLayout layout)
    {
        Module = module;
        _resolver = resolver;
        Layout = layout;
    }

    public ModuleDefinition Module { get; }

    public SourceLayout Layout { get; }

    /// <summary>The types in scope (the root namespace or below, not compiler-generated), with their layers.</summary>
    public IReadOnlyCollection<LayeredType> Types => _byType.Values;

    /// <summary>What kept a type from getting a layer, one line each.</summary>
    public List<string> Problems { get; } = [];

    /// <summary>Top-level types outside the root namespace that no compiler or generator made.</summary>
    public List<TypeDefinition> Strays { get; } = [];

    /// <summary>Reads <paramref name="assemblyPath"/> and the PDB beside it and gives each type in scope its layer.</summary>
    public static LayeredAssembly Load(string assemblyPath, SourceLayout layout)
    {
        // Attribute arguments of enum types from other assemblies (LogLevel) are read only by resolving those assemblies.
        var resolver = new DefaultAssemblyResolver();
        resolver.AddSearchDirectory(Path.GetDirectoryName(Path.GetFullPath(assemblyPath)));
        resolver.AddSearchDirectory(System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory());
        var module = ModuleDefinition.ReadModule(assemblyPath, new ReaderParameters { ReadSymbols = true, InMemory = true, AssemblyResolver = resolver });
        var assembly = new LayeredAssembly(module, resolver, layout);
        try
        {
            if (!module.HasSymbols)
            {
                throw new InvalidOperationException($"{assemblyPath} has no PDB beside it: the layering test needs one to find each type's folder.");
            }

            assembly.AssignLayers(Path.ChangeExtension(assemblyPath, ".pdb"));
            return assembly;
        }
        catch
        {
            assembly.Dispose();
            throw;
        }
    }

    /// <summary>The layered type that <paramref name="type"/> belongs to (through its outermost declaring type), if any.</summary>
    public LayeredType? Find(TypeDefinition type) => _byType.GetValueOrDefault(Outermost(type));

    public void Dispose()
    {
        Module.Dispose();
        _resolver.Dispose();
    }

    public static TypeDefinition Outermost(TypeDefinition type)
    {
        while (type.DeclaringType is not null)
        {
            type = type.DeclaringType;
        }

        return type;
    }

    /// <summary>A type's name for a report: namespace-qualified, nested with dots, generic parameters by name.</summary>
    public static string DisplayName(TypeDefinition type)
    {
        var name = type.Name;
        var tick = name.IndexOf('`', StringComparison.Ordinal);
        if (tick >= 0)
        {
            // A nested type repeats its outer type's generic parameters; the arity after the tick counts its own.
            var arity = int.Parse(name[(tick + 1)..], System.Globalization.CultureInfo.InvariantCulture);
            name = name[..tick] + "<" + string.Join(", ", type.GenericParameters.Skip(type.GenericParameters.Count - arity).Select(p => p.Name)) + ">";
        }

        return type.DeclaringType is { } outer ? DisplayName(outer) + "." + name
            : string.IsNullOrEmpty(type.Namespace) ? name : type.Namespace + "." + name;
    }

    /// <summary>Whether a compiler or source generator made the type (its members then belong to whatever uses them).</summary>
    public static bool IsGenerated(TypeDefinition type) =>
        type.Name.StartsWith('<') ||
        type.CustomAttributes.Any(a => a.AttributeType.FullName is
            "System.Runtime.CompilerServices.CompilerGeneratedAttribute" or
            "Microsoft.CodeAnalysis.EmbeddedAttribute" or
            "System.CodeDom.Compiler.GeneratedCodeAttribute");

    /// <summary>
    /// The path of <paramref name="document"/> relative to the source root, or null for a file outside it or one a source
    /// generator made (which the PDB lists under the project folder, in a folder named after the generator's assembly).
    /// </summary>
    public string? Relative(string document)
    {
        var path = document.Replace('\\', '/');
        var at = path.LastIndexOf(Layout.SourceRoot, StringComparison.Ordinal);
        if (at < 0 || (at > 0 && path[at - 1] != '/'))
        {
            return null;
        }

        var relative = path[(at + Layout.SourceRoot.Length)..];
        var slash = relative.IndexOf('/', StringComparison.Ordinal);
        var first = slash < 0 ? null : relative[..slash];
        var generated = relative.EndsWith(".g.cs", StringComparison.Ordinal) || first == "obj" || (first?.Contains('.', StringComparison.Ordinal) ?? false);
        return generated ? null : relative;
    }

    /// <summary>The folder of a path relative to the source root: "" for a file at the root.</summary>
    public static string FolderOf(string relative)
    {
        var slash = relative.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? "" : relative[..slash];
    }

    /// <summary>The layer of a folder: the root layer for "".</summary>
    public string LayerOf(string folder) => folder.Length == 0 ? Layout.RootLayer : folder;

    /// <summary>The folder a namespace stands for: "" for the root namespace, "Routing" for "Firn.Routing".</summary>
    public string? FolderOfNamespace(string ns)
    {
        var root = Layout.RootNamespace;
        return ns == root ? "" : ns.StartsWith(root + ".", StringComparison.Ordinal) ? ns[(root.Length + 1)..].Split('.')[0] : null;
    }

    private bool InScope(TypeDefinition type) => FolderOfNamespace(type.Namespace) is not null;

    private void AssignLayers(string pdbPath)
    {
        var declared = TypeDocuments.Read(pdbPath);
        foreach (var type in Module.Types)
        {
            if (type.Name == "<Module>" || IsGenerated(type))
            {
                continue;
            }

            if (!InScope(type))
            {
                Strays.Add(type);
                continue;
            }

            var documents = new SortedSet<string>(StringComparer.Ordinal);
            CollectDocuments(type, declared, documents);
            var folders = documents.Select(FolderOf).Distinct(StringComparer.Ordinal).ToList();
            var name = DisplayName(type);
            string? folder;
            if (folders.Count > 1)
            {
                Problems.Add($"{name} has source files in more than one folder ({string.Join(", ", documents)}); a type belongs to one layer.");
                continue;
            }
            else if (folders.Count == 1)
            {
                folder = folders[0];
            }
            else if (type.IsPublic && type.Namespace == Layout.RootNamespace)
            {
                if (!Layout.BodilessPublicTypes.TryGetValue(type.FullName, out folder))
                {
                    Problems.Add($"{name} is public and has no source file in the PDB (no method bodies), so its folder is unknown: add \"{type.FullName}\" with its folder to FirnLayering.BodilessPublicTypes.");
                    continue;
                }
            }
            else
            {
                folder = FolderOfNamespace(type.Namespace)!;
            }

            var layer = Layout.Pinned.GetValueOrDefault(type.FullName) ?? LayerOf(folder);
            if (!Layout.Rules.IsLayer(layer))
            {
                Problems.Add($"{name} is in folder {Layout.SourceRoot}{folder}, which is not a declared layer: add the layer to FirnLayering.Rules with the layers it may use.");
                continue;
            }

            _byType.Add(type, new LayeredType(type, layer, documents.Count > 0 ? folder : null, [.. documents]));
        }
    }

    private void CollectDocuments(TypeDefinition type, Dictionary<int, List<string>> declared, SortedSet<string> documents)
    {
        foreach (var method in type.Methods)
        {
            foreach (var point in method.DebugInformation.SequencePoints)
            {
                if (Relative(point.Document.Url) is { } relative)
                {
                    documents.Add(relative);
                }
            }
        }

        if (declared.TryGetValue(type.MetadataToken.ToInt32(), out var own))
        {
            documents.UnionWith(own.Select(Relative).OfType<string>());
        }

        foreach (var nested in type.NestedTypes)
        {
            CollectDocuments(nested, declared, documents);
        }
    }
}
