"""Test-only, for Wine 8 (never shipped): give ucrtbase.dll working creal/cimag functions.

Wine 8's ucrtbase exports ``crealf`` (and may export its siblings) as unimplemented stubs that abort the process;
numpy >= 2 calls ``crealf`` when it is imported, so PyInstaller (whose hook discovery imports numpy) dies under
Wine. Real Windows has them. Installed into the test CPython's site-packages with a ``.pth`` line by
tests/windows/wine/env.sh, this overwrites the first bytes of each function with a correct x64 implementation
(Windows x64 ABI: an 8-byte _Fcomplex comes in RCX, a 16-byte _Dcomplex by pointer in RCX, the result goes in
XMM0). A correct implementation stays correct, so it does no harm where Wine already has one. Does nothing
outside Wine.
"""
import ctypes
import sys

CODE = {
    "crealf": bytes.fromhex("660f6ec1c3"),              # movd xmm0, ecx ; ret
    "cimagf": bytes.fromhex("48c1e920660f6ec1c3"),      # shr rcx, 32 ; movd xmm0, ecx ; ret
    "creal": bytes.fromhex("f20f1001c3"),                # movsd xmm0, [rcx] ; ret
    "cimag": bytes.fromhex("f20f104108c3"),              # movsd xmm0, [rcx+8] ; ret
    "creall": bytes.fromhex("f20f1001c3"),               # long double is double on Windows x64
    "cimagl": bytes.fromhex("f20f104108c3"),
}


def _under_wine(kernel32) -> bool:
    ntdll = ctypes.WinDLL("ntdll")
    try:
        ntdll.wine_get_version  # noqa: B018 - only Wine's ntdll has it
    except AttributeError:
        return False
    return True


def patch() -> None:
    if sys.platform != "win32":
        return
    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
    if not _under_wine(kernel32):
        return
    kernel32.GetModuleHandleW.restype = ctypes.c_void_p
    kernel32.LoadLibraryW.restype = ctypes.c_void_p
    kernel32.GetProcAddress.restype = ctypes.c_void_p
    kernel32.GetProcAddress.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
    kernel32.VirtualProtect.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_ulong,
                                        ctypes.POINTER(ctypes.c_ulong)]
    kernel32.FlushInstructionCache.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t]
    module = kernel32.LoadLibraryW("ucrtbase.dll")
    if not module:
        return
    for name, code in CODE.items():
        address = kernel32.GetProcAddress(module, name.encode())
        if not address:
            continue
        old = ctypes.c_ulong()
        if not kernel32.VirtualProtect(address, len(code), 0x40, ctypes.byref(old)):  # PAGE_EXECUTE_READWRITE
            continue
        ctypes.memmove(address, code, len(code))
        kernel32.VirtualProtect(address, len(code), old.value, ctypes.byref(old))
        kernel32.FlushInstructionCache(ctypes.c_void_p(-1), address, len(code))


patch()
