import ArbSDK
import ArbBook
import PluginKit
import VenueBinance
import VenueWire

@c(arb_plugin_entry)
public func arbPluginEntry(_ hostMajor: UInt32, _ hostMinor: UInt32) -> UnsafePointer<arb_plugin_descriptor_t>? {
    exportExchange(SimVenue.self, hostMajor, hostMinor)
}
