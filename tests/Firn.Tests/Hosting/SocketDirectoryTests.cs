using System.Net.Sockets;
using System.Text;
using Firn.Hosting;
using Firn.Transport;

namespace Firn.Tests.Hosting;

/// <summary>The private socket directory: owner-only, checked for the Unix socket path limit, removed on dispose.</summary>
public sealed class SocketDirectoryTests : IDisposable
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    // "/firn-" + 12 hex digits + "/main.sock" follow the parent.
    private const int SuffixBytes = 28;

    private readonly string _parent = Path.Combine("/tmp", "firn-sd-test-" + Guid.NewGuid().ToString("N")[..8]);

    public SocketDirectoryTests() => Directory.CreateDirectory(_parent);

    public void Dispose() => Directory.Delete(_parent, recursive: true);

    [Fact]
    public void Directory_is_created_with_mode_0700_under_the_parent()
    {
        using var directory = SocketDirectory.Create(_parent);

        Assert.True(Directory.Exists(directory.DirectoryPath));
        Assert.Equal(_parent, Path.GetDirectoryName(directory.DirectoryPath));
        Assert.StartsWith("firn-", Path.GetFileName(directory.DirectoryPath), StringComparison.Ordinal);
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(directory.DirectoryPath));
        Assert.Equal(Path.Combine(directory.DirectoryPath, "main.sock"), directory.SocketPath);
        Assert.Equal(_parent.Length + SuffixBytes, directory.SocketPath.Length);
    }

    [Fact]
    public void Each_directory_is_fresh()
    {
        using var first = SocketDirectory.Create(_parent);
        using var second = SocketDirectory.Create(_parent);

        Assert.NotEqual(first.DirectoryPath, second.DirectoryPath);
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(second.DirectoryPath));
    }

    [Fact]
    public void A_too_long_parent_path_throws_a_configuration_error_naming_the_path_and_SocketDirectory()
    {
        var parent = Path.Combine(_parent, new string('p', 120));

        var error = Assert.Throws<FirnConfigurationException>(() => SocketDirectory.Create(parent));

        Assert.Contains(parent, error.Message, StringComparison.Ordinal);
        Assert.Contains("SocketDirectory", error.Message, StringComparison.Ordinal);
        Assert.Contains(SocketDirectory.MaxSocketPathBytes.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(_parent));
    }

    [Fact]
    public void A_parent_that_makes_the_socket_path_exactly_the_limit_works_and_one_byte_more_does_not()
    {
        var fits = MakeParent(SocketDirectory.MaxSocketPathBytes - SuffixBytes);
        var tooLong = MakeParent(SocketDirectory.MaxSocketPathBytes - SuffixBytes + 1);

        using (var directory = SocketDirectory.Create(fits))
        {
            Assert.Equal(SocketDirectory.MaxSocketPathBytes, Encoding.UTF8.GetByteCount(directory.SocketPath));

            // The kernel accepts a path of exactly this length.
            using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            listener.Bind(new UnixDomainSocketEndPoint(directory.SocketPath));
            Assert.True(File.Exists(directory.SocketPath));
        }

        Assert.Throws<FirnConfigurationException>(() => SocketDirectory.Create(tooLong));
        Assert.Empty(Directory.GetFileSystemEntries(tooLong));
    }

    [Fact]
    public void The_limit_counts_UTF8_bytes_not_characters()
    {
        // 'é' is two UTF-8 bytes: this parent is short in characters but too long in bytes.
        var parent = Path.Combine(_parent, new string('é', 40));
        Assert.True(parent.Length + SuffixBytes <= SocketDirectory.MaxSocketPathBytes);

        var error = Assert.Throws<FirnConfigurationException>(() => SocketDirectory.Create(parent));
        Assert.Contains(parent, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Dispose_removes_the_directory_and_the_socket_in_it()
    {
        var directory = SocketDirectory.Create(_parent);

        // Still bound while the directory is removed (closing the socket would unlink the file first).
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(directory.SocketPath));
        Assert.True(File.Exists(directory.SocketPath));

        directory.Dispose();

        Assert.False(Directory.Exists(directory.DirectoryPath));
        Assert.Empty(Directory.GetFileSystemEntries(_parent));
    }

    [Fact]
    public void Dispose_twice_or_after_someone_removed_the_directory_does_not_throw()
    {
        var directory = SocketDirectory.Create(_parent);
        Directory.Delete(directory.DirectoryPath);

        directory.Dispose();
        directory.Dispose();

        Assert.False(Directory.Exists(directory.DirectoryPath));
    }

    [Fact]
    public async Task An_app_with_a_too_long_SocketDirectory_fails_to_start_with_the_configuration_error()
    {
        var parent = Path.Combine(_parent, new string('q', 120));
        await using var app = new FirnApp(new FirnAppOptions
        {
            SocketDirectory = parent,
            HandleSignals = false,
            LoggerFactory = Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance,
        });

        var error = await Assert.ThrowsAsync<FirnConfigurationException>(() => app.Supervisor!.StartAsync());

        Assert.Contains(parent, error.Message, StringComparison.Ordinal);
        Assert.Contains("FirnAppOptions.SocketDirectory", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Creates a directory under the test's parent whose path is exactly <paramref name="length"/> ASCII bytes.</summary>
    private string MakeParent(int length)
    {
        var prefix = Path.Combine(_parent, "d");
        Assert.True(length > prefix.Length, "the test's parent directory is too long for this test");
        var path = prefix + new string('x', length - prefix.Length);
        Directory.CreateDirectory(path);
        Assert.Equal(length, Encoding.UTF8.GetByteCount(path));
        return path;
    }
}
