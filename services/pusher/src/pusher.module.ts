import { Module } from '@nestjs/common';
import { StoresModule } from '@netsentry/runtime';
import { PusherController } from './pusher.controller';

@Module({ imports: [StoresModule], controllers: [PusherController] })
export class PusherModule {}
