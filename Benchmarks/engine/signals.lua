-- wrk script: POST /api/signals with a rotating set of realistic signals (every threat type,
-- crawler, hostile and neutral sources), so the historical agent sees growing history.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

local customers = {"acme_corp", "techstart", "globalbank", "retailco", "healthnet"}
local bodies = {}
local templates = {
  '{"threat_type":"bot_traffic","customer_name":"%s","metadata":{"source_ip":"203.0.113.%d","requests_per_minute":%d,"endpoint":"/login","bot_score":0.93,"failed_logins":40}}',
  '{"threat_type":"bot_traffic","customer_name":"%s","metadata":{"source_ip":"66.249.66.%d","requests_per_minute":%d,"endpoint":"/health","user_agent":"Googlebot/2.1"}}',
  '{"threat_type":"rate_limit_breach","customer_name":"%s","metadata":{"source_ip":"198.18.120.%d","requests_per_minute":%d,"endpoint":"/api/search"}}',
  '{"threat_type":"geo_anomaly","customer_name":"%s","metadata":{"source_ip":"198.51.100.%d","location":"RU","previous_location":"US","travel_speed_kmh":%d}}',
  '{"threat_type":"proxy_network","customer_name":"%s","metadata":{"source_ip":"198.51.100.%d","requests_per_minute":%d,"endpoint":"/api/accounts"}}',
  '{"threat_type":"device_compromise","customer_name":"%s","metadata":{"source_ip":"192.0.2.%d","device_id":"dev-%d","indicators":["malware_beacon","credential_dump"],"endpoint":"/api/admin"}}',
  '{"threat_type":"anomaly_detection","customer_name":"%s","metadata":{"source_ip":"198.19.66.%d","bytes_out":%d000000,"baseline_bytes_out":10000000,"endpoint":"/api/export"}}',
}
for i = 0, 209 do
  local template = templates[(i % #templates) + 1]
  local customer = customers[(i % #customers) + 1]
  bodies[#bodies + 1] = string.format(template, customer, (i * 7) % 250 + 1, 100 + (i * 37) % 6000)
end

local counter = 0
request = function()
  counter = counter + 1
  return wrk.format(nil, "/api/signals", nil, bodies[(counter % #bodies) + 1])
end
