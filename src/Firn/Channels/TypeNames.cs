using System.Text;

namespace Firn.Channels;

/// <summary>Readable, assembly-free type names (<c>System.Collections.Generic.List&lt;System.String&gt;</c>) used to compare channel types across processes and in errors.</summary>
internal static class TypeNames
{
    public static string Of(Type type)
    {
        if (type.IsArray)
        {
            return Of(type.GetElementType()!) + "[" + new string(',', type.GetArrayRank() - 1) + "]";
        }

        if (!type.IsGenericType)
        {
            return type.FullName ?? type.Name;
        }

        var definition = type.GetGenericTypeDefinition().FullName ?? type.Name;
        var tick = definition.IndexOf('`', StringComparison.Ordinal);
        var builder = new StringBuilder(tick >= 0 ? definition[..tick] : definition).Append('<');
        var arguments = type.GetGenericArguments();
        for (var i = 0; i < arguments.Length; i++)
        {
            builder.Append(i == 0 ? string.Empty : ", ").Append(Of(arguments[i]));
        }

        return builder.Append('>').ToString();
    }
}
