@_exported import ArbSDK
