import { IsUUID } from 'class-validator';

export class ShipmentsQueryDto {
  @IsUUID()
  orderId!: string;
}
