import CRabbitMQ

extension CArena {
    func table(_ table: AMQPTable) -> amqp_table_t {
        let entries = allocate(amqp_table_entry_t.self, count: table.count)
        // Sorted so the same table always encodes to the same bytes.
        for (index, (key, value)) in table.sorted(by: { $0.key < $1.key }).enumerated() {
            entries[index] = amqp_table_entry_t(key: bytes(key), value: field(value))
        }
        return amqp_table_t(num_entries: Int32(table.count), entries: entries)
    }

    func field(_ value: AMQPFieldValue) -> amqp_field_value_t {
        var field = amqp_field_value_t()
        func kind(_ k: amqp_field_value_kind_t) { field.kind = UInt8(k.rawValue) }
        switch value {
        case .bool(let v):
            kind(AMQP_FIELD_KIND_BOOLEAN)
            field.value.boolean = v ? 1 : 0
        case .int8(let v):
            kind(AMQP_FIELD_KIND_I8)
            field.value.i8 = v
        case .uint8(let v):
            kind(AMQP_FIELD_KIND_U8)
            field.value.u8 = v
        case .int16(let v):
            kind(AMQP_FIELD_KIND_I16)
            field.value.i16 = v
        case .uint16(let v):
            kind(AMQP_FIELD_KIND_U16)
            field.value.u16 = v
        case .int32(let v):
            kind(AMQP_FIELD_KIND_I32)
            field.value.i32 = v
        case .uint32(let v):
            kind(AMQP_FIELD_KIND_U32)
            field.value.u32 = v
        case .int64(let v):
            kind(AMQP_FIELD_KIND_I64)
            field.value.i64 = v
        case .float(let v):
            kind(AMQP_FIELD_KIND_F32)
            field.value.f32 = v
        case .double(let v):
            kind(AMQP_FIELD_KIND_F64)
            field.value.f64 = v
        case .decimal(let v):
            kind(AMQP_FIELD_KIND_DECIMAL)
            field.value.decimal = amqp_decimal_t(decimals: v.scale, value: v.value)
        case .string(let v):
            kind(AMQP_FIELD_KIND_UTF8)
            field.value.bytes = bytes(v)
        case .bytes(let v):
            kind(AMQP_FIELD_KIND_BYTES)
            field.value.bytes = bytes(v)
        case .timestamp(let v):
            kind(AMQP_FIELD_KIND_TIMESTAMP)
            field.value.u64 = v
        case .table(let v):
            kind(AMQP_FIELD_KIND_TABLE)
            field.value.table = table(v)
        case .void: kind(AMQP_FIELD_KIND_VOID)
        case .array(let values):
            kind(AMQP_FIELD_KIND_ARRAY)
            let entries = allocate(amqp_field_value_t.self, count: values.count)
            for (index, element) in values.enumerated() { entries[index] = self.field(element) }
            field.value.array = amqp_array_t(num_entries: Int32(values.count), entries: entries)
        }
        return field
    }
}

extension AMQPFieldValue {
    /// Decodes a field received from librabbitmq; copies everything, so the frame may be released after.
    init(_ field: amqp_field_value_t) throws(AMQPError) {
        switch amqp_field_value_kind_t(UInt32(field.kind)) {
        case AMQP_FIELD_KIND_BOOLEAN: self = .bool(field.value.boolean != 0)
        case AMQP_FIELD_KIND_I8: self = .int8(field.value.i8)
        case AMQP_FIELD_KIND_U8: self = .uint8(field.value.u8)
        case AMQP_FIELD_KIND_I16: self = .int16(field.value.i16)
        case AMQP_FIELD_KIND_U16: self = .uint16(field.value.u16)
        case AMQP_FIELD_KIND_I32: self = .int32(field.value.i32)
        case AMQP_FIELD_KIND_U32: self = .uint32(field.value.u32)
        case AMQP_FIELD_KIND_I64: self = .int64(field.value.i64)
        case AMQP_FIELD_KIND_U64:
            // Brokers don't send it, but a value that fits is still a value.
            guard field.value.u64 <= UInt64(Int64.max) else {
                throw AMQPError(code: .protocolError, operation: "decode field table", message: "unsigned 64-bit value out of range")
            }
            self = .int64(Int64(field.value.u64))
        case AMQP_FIELD_KIND_F32: self = .float(field.value.f32)
        case AMQP_FIELD_KIND_F64: self = .double(field.value.f64)
        case AMQP_FIELD_KIND_DECIMAL: self = .decimal(AMQPDecimal(scale: field.value.decimal.decimals, value: field.value.decimal.value))
        case AMQP_FIELD_KIND_UTF8: self = .string(field.value.bytes.string)
        case AMQP_FIELD_KIND_BYTES: self = .bytes(field.value.bytes.array)
        case AMQP_FIELD_KIND_TIMESTAMP: self = .timestamp(field.value.u64)
        case AMQP_FIELD_KIND_TABLE: self = .table(try AMQPTable(field.value.table))
        case AMQP_FIELD_KIND_VOID: self = .void
        case AMQP_FIELD_KIND_ARRAY:
            let array = field.value.array
            var values: [AMQPFieldValue] = []
            values.reserveCapacity(Int(array.num_entries))
            for index in 0..<Int(array.num_entries) { values.append(try AMQPFieldValue(array.entries[index])) }
            self = .array(values)
        default:
            throw AMQPError(code: .protocolError, operation: "decode field table", message: "unknown field kind \(field.kind)")
        }
    }
}

extension Dictionary where Key == String, Value == AMQPFieldValue {
    init(_ table: amqp_table_t) throws(AMQPError) {
        self.init(minimumCapacity: Int(table.num_entries))
        for index in 0..<Int(table.num_entries) {
            let entry = table.entries[index]
            self[entry.key.string] = try AMQPFieldValue(entry.value)
        }
    }
}
