using Mono.Cecil;
using Mono.Cecil.Cil;

namespace Firn.Tests.Architecture;

/// <summary>
/// Collects the uses of one type by another inside a <see cref="LayeredAssembly"/>, keeping those that cross layers:
/// base types, interfaces, generic constraints and arguments, attributes (and typeof in their arguments), field, property
/// and event types, method signatures, explicit overrides, and in method bodies the local variables, caught exception
/// types and every type, method or field an instruction names (its declaring type and generic arguments).
/// Nested and compiler-generated types (lambdas, async state machines) count as their outermost declaring type.
/// Constants and <c>nameof</c> leave nothing in the IL and are not seen; nor are doc comment <c>cref</c>s.
/// </summary>
internal sealed class DependencyCollector
{
    private readonly LayeredAssembly _assembly;
    private readonly HashSet<Dependency> _found = [];

    private DependencyCollector(LayeredAssembly assembly) => _assembly = assembly;

    public static List<Dependency> Collect(LayeredAssembly assembly)
    {
        var collector = new DependencyCollector(assembly);
        foreach (var type in assembly.Types)
        {
            collector.VisitType(type, type.Type);
        }

        return [.. collector._found];
    }

    private void VisitType(LayeredType owner, TypeDefinition type)
    {
        var declaration = $"{Short(type)} declaration{owner.At}";
        Use(owner, type.BaseType, () => $"{declaration} (base type)");
        foreach (var implementation in type.Interfaces)
        {
            Use(owner, implementation.InterfaceType, () => $"{declaration} (interface)");
            Attributes(owner, implementation.CustomAttributes, () => declaration);
        }

        GenericParameters(owner, type.GenericParameters, () => $"{declaration} (generic constraint)");
        Attributes(owner, type.CustomAttributes, () => $"{declaration} (attribute)");

        foreach (var field in type.Fields)
        {
            // A field of a closure or state machine is a captured or hoisted local of the method it was written in.
            string Where() => LayeredAssembly.IsGenerated(type) ? $"{WrittenIn(type)} (captured or hoisted variable)" : $"field {Member(type, field.Name)}{owner.At}";
            Use(owner, field.FieldType, Where);
            Attributes(owner, field.CustomAttributes, () => $"{Where()} (attribute)");
        }

        foreach (var property in type.Properties)
        {
            string Where() => $"property {Member(type, property.Name)}{At(Line(property.GetMethod ?? property.SetMethod, null), owner)}";
            Use(owner, property.PropertyType, Where);
            Attributes(owner, property.CustomAttributes, () => $"{Where()} (attribute)");
        }

        foreach (var @event in type.Events)
        {
            Use(owner, @event.EventType, () => $"event {Member(type, @event.Name)}{At(Line(@event.AddMethod, null), owner)}");
        }

        foreach (var method in type.Methods)
        {
            VisitMethod(owner, method);
        }

        foreach (var nested in type.NestedTypes)
        {
            VisitType(owner, nested);
        }
    }

    private void VisitMethod(LayeredType owner, MethodDefinition method)
    {
        var name = Member(method.DeclaringType, method.Name);
        string Signature() => $"{name} signature{At(Line(method, null), owner)}";

        Use(owner, method.ReturnType, Signature);
        Attributes(owner, method.MethodReturnType.CustomAttributes, Signature);
        Attributes(owner, method.CustomAttributes, Signature);
        GenericParameters(owner, method.GenericParameters, Signature);
        foreach (var parameter in method.Parameters)
        {
            Use(owner, parameter.ParameterType, Signature);
            Attributes(owner, parameter.CustomAttributes, Signature);
        }

        foreach (var overridden in method.Overrides)
        {
            UseMember(owner, overridden, Signature);
        }

        if (!method.HasBody)
        {
            return;
        }

        foreach (var variable in method.Body.Variables)
        {
            Use(owner, variable.VariableType, () => $"{name} body (local variable){At(Line(method, null), owner)}");
        }

        foreach (var handler in method.Body.ExceptionHandlers)
        {
            Use(owner, handler.CatchType, () => $"{name} body (catch){At(Line(method, handler.HandlerStart), owner)}");
        }

        foreach (var instruction in method.Body.Instructions)
        {
            string Where() => $"{name} body ({instruction.OpCode.Name} {Operand(instruction.Operand)}){At(Line(method, instruction), owner)}";
            switch (instruction.Operand)
            {
                case TypeReference type:
                    Use(owner, type, Where);
                    break;
                case MemberReference member:
                    UseMember(owner, member, Where);
                    break;
                case CallSite site:
                    Use(owner, site.ReturnType, Where);
                    foreach (var parameter in site.Parameters)
                    {
                        Use(owner, parameter.ParameterType, Where);
                    }

                    break;
            }
        }
    }

    /// <summary>A method or field named by an instruction or an override: its declaring type and generic arguments.</summary>
    private void UseMember(LayeredType owner, MemberReference member, Func<string> where)
    {
        Use(owner, member.DeclaringType, where);
        if (member is GenericInstanceMethod generic)
        {
            foreach (var argument in generic.GenericArguments)
            {
                Use(owner, argument, where);
            }
        }
    }

    private void GenericParameters(LayeredType owner, IEnumerable<GenericParameter> parameters, Func<string> where)
    {
        foreach (var parameter in parameters)
        {
            foreach (var constraint in parameter.Constraints)
            {
                Use(owner, constraint.ConstraintType, where);
            }
        }
    }

    private void Attributes(LayeredType owner, IEnumerable<CustomAttribute> attributes, Func<string> where)
    {
        foreach (var attribute in attributes)
        {
            Use(owner, attribute.AttributeType, where);
            foreach (var argument in attribute.ConstructorArguments.Concat(attribute.Properties.Select(p => p.Argument)).Concat(attribute.Fields.Select(f => f.Argument)))
            {
                Argument(owner, argument, where);
            }
        }
    }

    private void Argument(LayeredType owner, CustomAttributeArgument argument, Func<string> where)
    {
        Use(owner, argument.Type, where);
        switch (argument.Value)
        {
            case TypeReference type:
                Use(owner, type, where);
                break;
            case CustomAttributeArgument boxed:
                Argument(owner, boxed, where);
                break;
            case CustomAttributeArgument[] array:
                foreach (var element in array)
                {
                    Argument(owner, element, where);
                }

                break;
        }
    }

    private void Use(LayeredType owner, TypeReference? type, Func<string> where)
    {
        switch (type)
        {
            case null or GenericParameter:
                return;
            case GenericInstanceType generic:
                Use(owner, generic.ElementType, where);
                foreach (var argument in generic.GenericArguments)
                {
                    Use(owner, argument, where);
                }

                return;
            case FunctionPointerType pointer:
                Use(owner, pointer.ReturnType, where);
                foreach (var parameter in pointer.Parameters)
                {
                    Use(owner, parameter.ParameterType, where);
                }

                return;
            case TypeSpecification specification:
                // Arrays, by-refs, pointers, pinned and modified types.
                Use(owner, specification.ElementType, where);
                return;
        }

        var definition = type as TypeDefinition ?? (type.Scope == _assembly.Module ? type.Resolve() : null);
        if (definition is null || _assembly.Find(definition) is not { } used || used.Type == owner.Type || used.Layer == owner.Layer)
        {
            return;
        }

        _found.Add(new Dependency(owner.Name, owner.Layer, used.Name, used.Layer, where()));
    }

    /// <summary>
    /// The source line of <paramref name="instruction"/> (the last sequence point at or before it), or of the method's first
    /// line when null; relative to the source root.
    /// </summary>
    private string? Line(MethodDefinition? method, Instruction? instruction)
    {
        if (method is null || !method.DebugInformation.HasSequencePoints)
        {
            return null;
        }

        SequencePoint? found = null;
        foreach (var point in method.DebugInformation.SequencePoints)
        {
            if (point.IsHidden)
            {
                continue;
            }

            if (instruction is null)
            {
                found = point;
                break;
            }

            if (point.Offset > instruction.Offset)
            {
                break;
            }

            found = point;
        }

        return found is null ? null : $"{_assembly.Relative(found.Document.Url) ?? found.Document.Url}:{found.StartLine}";
    }

    private static string At(string? line, LayeredType owner) => line is null ? owner.At : $" at {line}";

    /// <summary>The method a closure or state machine type was made for, and its first line: "FirnApp.FlushAsync at FirnApp.cs:174".</summary>
    private string WrittenIn(TypeDefinition generated)
    {
        var method = generated.Methods.FirstOrDefault(m => m.DebugInformation.HasSequencePoints);
        return method is null ? Member(generated, generated.Name) : $"{Member(generated, method.Name)}{(Line(method, null) is { } line ? $" at {line}" : "")}";
    }

    /// <summary>
    /// "Type.Member" as the developer wrote it: a lambda, local function, iterator or async state machine is named by the
    /// method it was written in ("&lt;Send&gt;b__5_0" and "&lt;Send&gt;d__12.MoveNext" are "Send") and its type by the
    /// first type that is not compiler-generated.
    /// </summary>
    private static string Member(TypeDefinition type, string member)
    {
        var name = Unmangled(member);
        while (type.DeclaringType is not null && LayeredAssembly.IsGenerated(type))
        {
            if (name == member && Unmangled(type.Name) is { } written && written != type.Name)
            {
                name = written;
            }

            type = type.DeclaringType;
        }

        return $"{Short(type)}.{name}";
    }

    /// <summary>"Send" for "&lt;Send&gt;b__5_0"; the name itself when it is not mangled or names no method ("&lt;&gt;c").</summary>
    private static string Unmangled(string name)
    {
        var close = name.IndexOf('>', StringComparison.Ordinal);
        return name.StartsWith('<') && close > 1 ? name[1..close] : name;
    }

    /// <summary>A type's name without namespace or generic arity, nested types after their declaring types.</summary>
    private static string Short(TypeReference type)
    {
        var element = type.GetElementType();
        var name = element.Name;
        var tick = name.IndexOf('`', StringComparison.Ordinal);
        name = tick < 0 ? name : name[..tick];
        return element.DeclaringType is { } outer ? $"{Short(outer)}.{name}" : name;
    }

    private static string Operand(object? operand) => operand switch
    {
        TypeReference type => Short(type),
        MemberReference { DeclaringType: { } declaring } member => $"{Short(declaring)}.{member.Name}",
        _ => "",
    };
}
