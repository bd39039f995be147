"""Print the installed products of an UpgradeCode, one "ProductCode Version" per line (Windows Installer API).

    python msi_products.py {UPGRADE-CODE}

Run by the Windows CPython under Wine from tests/windows/test_msi.py (not a test module itself)."""
import ctypes
import sys
from ctypes import wintypes

msi = ctypes.WinDLL("msi")
msi.MsiEnumRelatedProductsW.argtypes = [wintypes.LPCWSTR, wintypes.DWORD, wintypes.DWORD, wintypes.LPWSTR]
msi.MsiGetProductInfoW.argtypes = [wintypes.LPCWSTR, wintypes.LPCWSTR, wintypes.LPWSTR, ctypes.POINTER(wintypes.DWORD)]
ERROR_NO_MORE_ITEMS = 259

index = 0
while True:
    code = ctypes.create_unicode_buffer(39)
    rc = msi.MsiEnumRelatedProductsW(sys.argv[1], 0, index, code)
    if rc == ERROR_NO_MORE_ITEMS:
        break
    if rc != 0:
        raise SystemExit(f"MsiEnumRelatedProducts failed: {rc}")
    version = ctypes.create_unicode_buffer(64)
    size = wintypes.DWORD(64)
    msi.MsiGetProductInfoW(code.value, "VersionString", version, ctypes.byref(size))
    print(code.value, version.value)
    index += 1
