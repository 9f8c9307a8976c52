using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Firn.Tests.Docs;

/// <summary>
/// Compiles a C# block of the docs with Roslyn against Firn.dll, Firn.Hosting.dll and the Generic Host, and what a
/// program that references those packages sees (the framework, Firn's dependencies), with the SDK's implicit usings; a
/// complete program also sees ASP.NET Core, as a web project that references Firn.Hosting does. A fragment also gets <c>using Firn;</c>,
/// <c>using Microsoft.Extensions.Logging;</c> and the names of <see cref="DocsPrelude"/>.
/// </summary>
internal static class DocsCompiler
{
    private static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    /// <summary>The global usings of a console project (Microsoft.NET.Sdk, ImplicitUsings enabled).</summary>
    private static readonly SyntaxTree ImplicitUsings = CSharpSyntaxTree.ParseText(
        """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Net.Http;
        global using System.Threading;
        global using System.Threading.Tasks;
        """,
        ParseOptions,
        "ImplicitUsings.g.cs");

    private static readonly SyntaxTree FragmentUsings = CSharpSyntaxTree.ParseText(
        """
        global using Firn;
        global using Firn.Tests.Docs;
        global using Microsoft.Extensions.Logging;
        global using static Firn.Tests.Docs.DocsPrelude;
        """,
        ParseOptions,
        "FragmentUsings.g.cs");

    /// <summary>Firn, Firn.Hosting and the Generic Host, and ASP.NET Core (a web project's shared framework).</summary>
    private static readonly Lazy<IReadOnlyList<MetadataReference>> ProgramReferences = new(() =>
        References(["Microsoft.AspNetCore.App"], typeof(FirnApp).Assembly, typeof(FirnBuilder).Assembly, typeof(FirnRedisOptions).Assembly, typeof(Microsoft.Extensions.Hosting.Host).Assembly));

    private static readonly Lazy<IReadOnlyList<MetadataReference>> FragmentReferences = new(() =>
        References([], typeof(FirnApp).Assembly, typeof(FirnBuilder).Assembly, typeof(FirnRedisOptions).Assembly, typeof(Microsoft.Extensions.Hosting.Host).Assembly, typeof(DocsPrelude).Assembly));

    /// <summary>The errors and warnings of the block, each as "file(line,column): id message" in the Markdown file's lines.</summary>
    public static IReadOnlyList<string> Compile(CodeBlock block)
    {
        var source = block.Kind == CodeBlockKind.Complete
            ? $"#line {block.Line} \"{block.File}\"\n{block.Code}\n"
            : $"""
              var app = DocsPrelude.App;
              var context = DocsPrelude.Context;
              var stopping = DocsPrelude.Stopping;
              #line {block.Line} "{block.File}"
              {block.Code}

              """;
        var tree = CSharpSyntaxTree.ParseText(source, ParseOptions, block.File + ".cs");
        var isProgram = tree.GetCompilationUnitRoot().Members.OfType<GlobalStatementSyntax>().Any();
        var options = new CSharpCompilationOptions(isProgram ? OutputKind.ConsoleApplication : OutputKind.DynamicallyLinkedLibrary)
            .WithNullableContextOptions(NullableContextOptions.Enable);
        var compilation = CSharpCompilation.Create(
            "DocsBlock",
            block.Kind == CodeBlockKind.Complete ? [ImplicitUsings, tree] : [ImplicitUsings, FragmentUsings, tree],
            block.Kind == CodeBlockKind.Complete ? ProgramReferences.Value : FragmentReferences.Value,
            options);
        return
        [
            .. compilation.GetDiagnostics()
                .Where(d => d.Severity >= DiagnosticSeverity.Warning)
                .Select(d => $"{Where(d)}: {d.Id} {d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}"),
        ];
    }

    private static string Where(Diagnostic diagnostic)
    {
        var span = diagnostic.Location.GetMappedLineSpan();
        return $"{span.Path}({span.StartLinePosition.Line + 1},{span.StartLinePosition.Character + 1})";
    }

    /// <summary>
    /// The framework's assemblies, and each given assembly with everything it references, transitively; then the
    /// assemblies of the other shared <paramref name="frameworks"/> (installed next to the runtime: its version, or
    /// else the newest) whose names are not referenced already.
    /// </summary>
    private static IReadOnlyList<MetadataReference> References(string[] frameworks, params Assembly[] roots)
    {
        var runtimeDirectory = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Where(path => string.Equals(Path.GetDirectoryName(path), runtimeDirectory, StringComparison.Ordinal))
            .ToHashSet(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<Assembly>(roots);
        while (pending.TryPop(out var assembly))
        {
            if (!seen.Add(assembly.GetName().Name!))
            {
                continue;
            }

            paths.Add(assembly.Location);
            foreach (var reference in assembly.GetReferencedAssemblies())
            {
                if (!seen.Contains(reference.Name!))
                {
                    pending.Push(Assembly.Load(reference));
                }
            }
        }

        var names = paths.Select(Path.GetFileNameWithoutExtension).ToHashSet(StringComparer.Ordinal);
        foreach (var framework in frameworks)
        {
            var versions = Path.Combine(runtimeDirectory, "..", "..", framework);
            var directory = Path.Combine(versions, Path.GetFileName(runtimeDirectory));
            if (!Directory.Exists(directory))
            {
                directory = Directory.EnumerateDirectories(versions).MaxBy(d => Version.TryParse(Path.GetFileName(d), out var v) ? v : new Version())
                    ?? throw new InvalidOperationException($"The shared framework {framework} is not installed next to {runtimeDirectory}.");
            }

            paths.UnionWith(Directory.EnumerateFiles(directory, "*.dll").Where(path => !names.Contains(Path.GetFileNameWithoutExtension(path))));
        }

        return [.. paths.Order(StringComparer.Ordinal).Select(path => MetadataReference.CreateFromFile(path))];
    }
}
