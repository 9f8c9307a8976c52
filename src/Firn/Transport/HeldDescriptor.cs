using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Firn.Transport;

/// <summary>
/// A socket's descriptor for a direct system call, held open until <see cref="Dispose"/>: its handle's count is raised,
/// so a close on another thread cannot free the number (and let it be reused) while the call runs.
/// </summary>
internal ref struct HeldDescriptor
{
    private readonly SafeHandle _handle;
    private bool _added;

    /// <summary>Holds <paramref name="socket"/>'s descriptor.</summary>
    /// <exception cref="ObjectDisposedException">The socket is already closed.</exception>
    public HeldDescriptor(Socket socket)
    {
        _handle = socket.SafeHandle;
        _handle.DangerousAddRef(ref _added);
        Fd = (int)_handle.DangerousGetHandle();
    }

    /// <summary>The descriptor's number.</summary>
    public int Fd { get; }

    /// <summary>Lets the descriptor go.</summary>
    public void Dispose()
    {
        if (_added)
        {
            _added = false;
            _handle.DangerousRelease();
        }
    }
}
