using System.Reflection;
using Firn.Channels;
using Firn.Failures;
using Firn.Serialization;

namespace Firn.Rpc;

/// <content>How each handler parameter is filled.</content>
internal sealed partial class RpcMethod
{
    private enum ParameterKind
    {
        /// <summary>Read from the call's next argument.</summary>
        Wire,

        /// <summary>The call's <see cref="CancellationToken"/>.</summary>
        Token,

        /// <summary>The <see cref="RpcCallContext"/>.</summary>
        Context,
    }

    private sealed class Parameter
    {
        private Func<IFirnSerializer, ReadOnlyMemory<byte>, object?>? _reader;

        private Parameter(ParameterKind kind, ParameterInfo info)
        {
            Kind = kind;
            Info = info;
        }

        public ParameterKind Kind { get; }

        public ParameterInfo Info { get; }

        public object? DefaultValue => Info.HasDefaultValue ? Info.DefaultValue : null;

        public static Parameter Create(string method, ParameterInfo info)
        {
            var type = info.ParameterType;
            if (type.IsByRef || type.IsPointer)
            {
                throw new NotSupportedException($"Method '{method}': parameter '{info.Name}' is passed by reference or is a pointer; RPC parameters are values.");
            }

            if (type == typeof(CancellationToken))
            {
                return new Parameter(ParameterKind.Token, info);
            }

            if (type == typeof(RpcCallContext))
            {
                return new Parameter(ParameterKind.Context, info);
            }

            return new Parameter(ParameterKind.Wire, info)
            {
                _reader = typeof(Parameter).GetMethod(nameof(ReadAs), BindingFlags.NonPublic | BindingFlags.Static)!
                    .MakeGenericMethod(type).CreateDelegate<Func<IFirnSerializer, ReadOnlyMemory<byte>, object?>>(),
            };
        }

        public object? Read(IFirnSerializer serializer, ReadOnlyMemory<byte> data, string method)
        {
            try
            {
                return _reader!(serializer, data);
            }
#pragma warning disable CA1031 // Any failure to read an argument is the caller's mistake, reported as such.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                throw FirnErrors.ArgumentUnreadable(method, Info.Name, data.Length, TypeNames.Of(Info.ParameterType), ex);
            }
        }

        private static object? ReadAs<T>(IFirnSerializer serializer, ReadOnlyMemory<byte> data) => serializer.Deserialize<T>(data);
    }
}
