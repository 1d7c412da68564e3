-- sysbench oltp_insert's insert with the retry an application does: when an insert fails (refused while the
-- cutover fences writes, or cut off by the proxy's switch), the connection is dropped, a new one opened (the proxy
-- routes it) and the insert tried again after 10 ms. sysbench 1.0.20 cannot do this itself: with libmariadb its own
-- reconnect (--mysql-ignore-errors) crashes or gives up (akopytov/sysbench#527). An event's latency includes its
-- retries; "failed attempts" lines (one per thread) count the inserts that got an error.
-- Used by ops/bench/cutover-bench-mysql.sh: sysbench ops/bench/cutover-insert.lua --tables=1 ... prepare|run
require("oltp_common")

local ffi = require("ffi")
ffi.cdef[[int usleep(unsigned int usec);]]

sysbench.cmdline.commands.prepare = {cmd_prepare, sysbench.cmdline.PARALLEL_COMMAND}

function prepare_statements()
   -- plain queries only: a prepared statement would not survive the reconnect
end

local failed = 0

function event()
   local sql = string.format("INSERT INTO sbtest1 (id, k, c, pad) VALUES (0, %d, '%s', '%s')",
      sysbench.rand.default(1, sysbench.opt.table_size), get_c_value(), get_pad_value())
   while not pcall(con.query, con, sql) do
      failed = failed + 1
      pcall(con.disconnect, con)
      ffi.C.usleep(10000)
      local ok, fresh = pcall(drv.connect, drv)
      if ok then
         con = fresh
      end
   end
end

function thread_done()
   print("failed attempts: " .. failed)
   pcall(con.disconnect, con)
end
